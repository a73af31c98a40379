package org.acme.conventions.testing;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one sample from the service under test's own /q/metrics, as Prometheus would scrape it.
 * Shared by the services' tests through this module's test jar.
 */
public final class MetricsScrape {

    private static final Pattern VALUE = Pattern.compile("}\\s+(\\S+)");

    private MetricsScrape() {
    }

    /** The value of the first sample of {@code name} whose labels contain every given {@code label="value"}; 0 if none. */
    public static double value(String name, String... labels) {
        String body = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (labels.length == 0 && line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length()).trim().split("\\s+")[0]); // a sample without labels
            }
            if (line.startsWith(name + "{") && hasAll(line.substring(0, line.indexOf('}')), labels)) {
                Matcher value = VALUE.matcher(line);
                if (value.find()) {
                    return Double.parseDouble(value.group(1));
                }
            }
        }
        return 0;
    }

    private static boolean hasAll(String labelPart, String... labels) {
        for (String label : labels) {
            if (!labelPart.contains(label)) {
                return false;
            }
        }
        return true;
    }
}
