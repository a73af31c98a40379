package org.acme.conventions.testing;

import static io.restassured.RestAssured.given;

/**
 * The fault switches' admin API of the service under test, as the services' tests use it. The
 * backends serve it on their own port ({@code /admin/faults}); the gateway on its management
 * interface ({@link #onManagementPort}). Shared through this module's test jar.
 */
public final class FaultAdminApi {

    /** Where the backends serve it in tests: the test port RestAssured already points at. */
    public static final String OWN_PORT = "/admin/faults";

    private FaultAdminApi() {
    }

    /** Switches a fault on ({@code {"kind":…,"target":…}}), expecting it accepted. */
    public static void switchOn(String admin, String body) {
        given().contentType("application/json").body(body).when().post(admin).then().statusCode(200);
    }

    /** Switches every fault off, so that no test leaves one behind for the next. */
    public static void allOff(String admin) {
        given().when().delete(admin).then().statusCode(200);
    }
}
