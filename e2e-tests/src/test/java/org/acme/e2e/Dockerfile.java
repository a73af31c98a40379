package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repository's Dockerfile as its stages: each image is a target stage, built on the stages it starts
 * FROM, down to a pinned image from .env. Read statically, for the stack lint (no Docker engine here).
 */
record Dockerfile(Map<String, Stage> stages) {

    /** One stage: what it starts FROM (another stage, or an image such as ${JRE_IMAGE}), and its instructions. */
    record Stage(String name, String from, List<String> instructions) {
    }

    static Dockerfile of(Path root) throws IOException {
        Map<String, Stage> stages = new LinkedHashMap<>();
        String text = Files.readString(root.resolve("Dockerfile")).replace("\\\n", " ");
        Stage current = null;
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("FROM ")) {
                List<String> words = new ArrayList<>(List.of(line.split("\\s+")));
                words.removeIf(word -> word.startsWith("--platform="));
                String name = words.size() == 4 && words.get(2).equalsIgnoreCase("AS") ? words.get(3) : "final-" + stages.size();
                current = new Stage(name, words.get(1), new ArrayList<>());
                stages.put(name, current);
            } else if (current != null) {
                current.instructions().add(line);
            }
        }
        return new Dockerfile(stages);
    }

    Stage stage(String name) {
        Stage stage = stages.get(name);
        assertNotNull(stage, "the Dockerfile has no stage " + name + " (it has " + stages.keySet() + ")");
        return stage;
    }

    /** The stages an image is made of, from the one on a pinned image up to the target itself. */
    List<Stage> chain(String target) {
        List<Stage> chain = new ArrayList<>();
        for (Stage stage = stage(target); stage != null; stage = stages.get(stage.from())) {
            chain.add(0, stage);
        }
        return chain;
    }

    /** Every instruction of an image's stages, base first. */
    List<String> instructions(String target) {
        return chain(target).stream().flatMap(stage -> stage.instructions().stream()).toList();
    }

    /** The pinned image a target is built on, as written (`${JRE_IMAGE}`). */
    String baseImage(String target) {
        return chain(target).get(0).from();
    }
}
