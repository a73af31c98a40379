package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.acme.conventions.testing.ExplicitActivation;
import org.junit.jupiter.api.Test;

class ExplicitActivationTest {

    @Test
    void nothing_in_the_conventions_acts_until_a_service_switches_it_on() throws Exception {
        assertEquals(List.of(), ExplicitActivation.unswitched(Path.of("target/classes")),
                "these classes act by being on the class path; gate each with @IfBuildProperty (see Conventions)");
    }

    @Test
    void the_check_finds_a_class_that_would_act_unswitched() throws Exception {
        assertTrue(ExplicitActivation.unswitched(Path.of("target/test-classes")).contains(UnswitchedBean.class.getName()));
    }
}
