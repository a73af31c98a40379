package org.acme.video;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.VideoCatalogServiceGrpc.VideoCatalogServiceBlockingStub;
import org.junit.jupiter.api.Test;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With the workshop kit on the class path but switched off, the service serves REST and gRPC, with no admin API. */
@QuarkusTest
@TestProfile(KitSwitchedOffTest.KitOff.class)
class KitSwitchedOffTest {

    public static class KitOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("workshop.faults.enabled", "false");
        }
    }

    @GrpcClient("video-catalog")
    VideoCatalogServiceBlockingStub catalog;

    @Test
    void grpc_and_rest_answer_and_there_is_no_fault_admin_api() {
        assertEquals(3, catalog.listVideos(ListVideosRequest.newBuilder().setLimit(3).build()).getVideosCount());
        given().when().get("/videos/1").then().statusCode(200);
        given().when().get("/admin/faults").then().statusCode(404);
    }
}
