package org.acme.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.acme.conventions.TraceIds;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The site's web front: the pages a person opens. Each page is a small shell; its script
 * (META-INF/resources/web/site.js) calls the API under /api and lists every request it makes with
 * its latency and its trace id, linked to that trace in Jaeger.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class WebFront {

    /** The demo data's users (README): the ones a visitor can pick. */
    static final int USERS = 40;

    /**
     * What every page shows besides its content: its name, where Jaeger is, the trace of the page's own request,
     * and the version of the script and style sheet it loads.
     */
    public record Page(String name, String jaegerUrl, String traceId, String assets) {
    }

    /**
     * A digest of site.js and site.css, put in their URLs ({@code /web/site.js?v=…}): Quarkus serves static files
     * cacheable for a day, so after an update a page must ask for a new URL, or browsers keep the old script.
     */
    static final String ASSETS = digest("META-INF/resources/web/site.js", "META-INF/resources/web/site.css");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance users(Page page, int users);

        static native TemplateInstance home(Page page);

        static native TemplateInstance video(Page page);

        static native TemplateInstance upload(Page page);
    }

    @ConfigProperty(name = "app.web.jaeger-url")
    String jaegerUrl;

    @GET
    public TemplateInstance users() {
        return Templates.users(page("users"), USERS);
    }

    @GET
    @Path("home")
    public TemplateInstance home() {
        return Templates.home(page("home"));
    }

    /** The video's id and the user stay in the URL; the page's script reads them and asks the API. */
    @GET
    @Path("watch/{id}")
    public TemplateInstance video() {
        return Templates.video(page("video"));
    }

    @GET
    @Path("upload")
    public TemplateInstance upload() {
        return Templates.upload(page("upload"));
    }

    private Page page(String name) {
        return new Page(name, jaegerUrl, TraceIds.current(), ASSETS);
    }

    private static String digest(String... resources) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String resource : resources) {
                try (InputStream in = WebFront.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException(resource + " is missing from the application");
                    }
                    sha256.update(in.readAllBytes());
                }
            }
            return HexFormat.of().formatHex(sha256.digest(), 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
