package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BudgetTest {

    @Test
    void a_call_gets_its_own_limit_while_the_budget_has_more() {
        assertEquals(Duration.ofMillis(800), Budget.of(Duration.ofSeconds(3)).bound(Duration.ofMillis(800)));
    }

    @Test
    void a_call_never_gets_more_than_what_is_left() {
        Duration bound = Budget.of(Duration.ofMillis(500)).bound(Duration.ofSeconds(3));
        assertTrue(bound.compareTo(Duration.ofMillis(500)) <= 0 && bound.compareTo(Duration.ofMillis(400)) > 0, bound.toString());
    }

    @Test
    void the_callers_deadline_shortens_the_budget_by_the_time_to_answer() {
        Budget budget = Budget.of(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(1), Duration.ofMillis(250));
        Duration left = budget.remaining();
        assertTrue(left.compareTo(Duration.ofMillis(750)) <= 0 && left.compareTo(Duration.ofMillis(650)) > 0, left.toString());
        Duration untouched = Budget.of(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(9), Duration.ofMillis(250)).remaining();
        assertTrue(untouched.compareTo(Duration.ofMillis(2_900)) > 0, "a caller with more time leaves the budget as it was: " + untouched);
    }

    @Test
    void a_spent_budget_leaves_zero_not_a_negative_bound() {
        assertEquals(Duration.ZERO, Budget.of(Duration.ofMillis(-5)).bound(Duration.ofSeconds(1)));
    }
}
