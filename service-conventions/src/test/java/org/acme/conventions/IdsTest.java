package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void an_id_is_a_positive_integer_in_ascii_digits() {
        assertEquals(5, Ids.parse("user id", "5"));
        assertEquals(9_000_000_000L, Ids.parse("user id", "9000000000"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "+5", " 5 ", "5 ", "\u0665", "\uff15", "0", "-5", "5.0", "0x5", "", "99999999999999999999" })
    void anything_else_is_a_400(String raw) {
        ProblemException e = assertThrows(ProblemException.class, () -> Ids.parse("user id", raw));
        assertEquals(400, e.status());
    }

    @Test
    void a_long_value_is_cut_in_the_detail() {
        ProblemException e = assertThrows(ProblemException.class, () -> Ids.parse("user id", "x".repeat(3000)));
        assertEquals("user id must be a positive integer, got '" + "x".repeat(40) + "…'", e.detail());
    }
}
