package org.acme.conventions;

import java.util.List;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.quarkus.arc.properties.IfBuildProperty;

/** Documents in every service's OpenAPI that each operation answers its failures as problem+json. */
@IfBuildProperty(name = Conventions.ERROR_CONTRACT, stringValue = "true")
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemsInOpenApi implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema("Problem", OASFactory.createSchema()
                .description("RFC 9457 problem details; traceId leads to the trace of the failed request")
                .type(List.of(SchemaType.OBJECT))
                .addProperty("type", text()).addProperty("title", text())
                .addProperty("status", OASFactory.createSchema().type(List.of(SchemaType.INTEGER)))
                .addProperty("detail", text()).addProperty("instance", text()).addProperty("traceId", text()));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(operation -> {
            APIResponses responses = operation.getResponses() != null ? operation.getResponses()
                    : OASFactory.createAPIResponses();
            responses.addAPIResponse("4XX", problem("The request was wrong: a malformed or unknown id, an invalid body"));
            responses.addAPIResponse("5XX",
                    problem("A dependency failed (502) or did not answer in time (504); the detail names it"));
            operation.setResponses(responses);
        }));
    }

    private static Schema text() {
        return OASFactory.createSchema().type(List.of(SchemaType.STRING));
    }

    private static APIResponse problem(String description) {
        return OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem"))));
    }
}
