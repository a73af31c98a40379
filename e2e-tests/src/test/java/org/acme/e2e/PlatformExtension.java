package org.acme.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives tests the shared {@link E2eStack}, started on first use and closed when the run ends, and
 * prints each service's latest output when a test fails.
 */
public class PlatformExtension implements ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PlatformExtension.class);

    static E2eStack stack(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(E2eStack.class, type -> E2eStack.start(),
                E2eStack.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == E2eStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return stack(context);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        E2eStack stack = context.getRoot().getStore(NAMESPACE).get(E2eStack.class, E2eStack.class);
        if (stack == null) {
            return;
        }
        for (ServiceProcess service : stack.platform.services()) {
            System.out.printf("%n===== %s: last lines of %s =====%n%s%n", service.name(), service.log(), service.tail(12));
        }
    }
}
