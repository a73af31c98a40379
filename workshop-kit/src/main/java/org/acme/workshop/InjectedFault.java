package org.acme.workshop;

import org.acme.conventions.ProblemException;

/**
 * The failure an {@code error} fault switch makes an operation throw. It travels like any failure of
 * that operation: a 5xx problem+json over REST, a gRPC status over gRPC, an error span either way.
 */
public class InjectedFault extends ProblemException {

    private InjectedFault(String point) {
        super(500, "Internal Server Error", point + " failed (fault switch error:" + point + " is on)");
    }

    static InjectedFault at(String point) {
        return new InjectedFault(point);
    }
}
