package org.acme.conventions.testing;

import org.eclipse.microprofile.config.ConfigProvider;

/** The service under test's management interface (the gateway's health, metrics and admin API). */
public final class ManagementInterface {

    private ManagementInterface() {
    }

    /** A URL on it in tests: {@code quarkus.management.test-port}, as Quarkus binds it in test mode. */
    public static String url(String path) {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        return "http://127.0.0.1:" + port + path;
    }
}
