package org.acme.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a service's /q/metrics (Prometheus text format), parsed into samples: the tests' one reader of a
 * service's own metrics, for figures taken straight from the service rather than through Prometheus.
 */
record Scrape(List<Sample> samples) {

    /** One line: the metric's name, its labels, its value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape of(ServiceProcess service) {
        return parse(Http.get(service.managementUrl() + "/q/metrics").body());
    }

    static Scrape parse(String body) {
        List<Sample> samples = new ArrayList<>();
        Matcher line = LINE.matcher(body);
        while (line.find()) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (line.group(2) != null) {
                Matcher label = LABEL.matcher(line.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            samples.add(new Sample(line.group(1), labels, Double.parseDouble(line.group(3))));
        }
        return new Scrape(samples);
    }

    /** The sum of the samples of these names whose labels pass {@code where}. */
    double sum(Predicate<Map<String, String>> where, String... names) {
        List<String> wanted = List.of(names);
        return samples.stream().filter(s -> wanted.contains(s.name()) && where.test(s.labels())).mapToDouble(Sample::value).sum();
    }

    double sum(String name) {
        return sum(labels -> true, name);
    }
}
