package org.acme.e2e;

/**
 * recommend-service's home-feed cache, switched off and on through its fault switch: a test that needs
 * recommend-service to compute a feed (to call video-service) cannot count on a user's feed not being
 * cached, since the simulated users and earlier tests open home pages too.
 */
final class FeedCache {

    private static final String SWITCH = "{\"kind\":\"cache-off\",\"target\":\"home-feed\"}";

    private FeedCache() {
    }

    static void off(E2eStack stack) {
        var answer = Http.post(admin(stack), SWITCH);
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("cache-off not switched on: " + answer.statusCode() + " " + answer.body());
        }
    }

    static void on(E2eStack stack) {
        Http.delete(admin(stack) + "?fault=cache-off:home-feed");
    }

    private static String admin(E2eStack stack) {
        return stack.platform.service("recommend-service").managementUrl() + "/admin/faults";
    }
}
