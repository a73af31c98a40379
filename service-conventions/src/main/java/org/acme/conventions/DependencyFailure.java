package org.acme.conventions;

/**
 * A downstream service failed (502) or did not answer in time (504). The detail always
 * names the dependency, so the first error a user sees already says where to look.
 */
public class DependencyFailure extends ProblemException {

    private final String dependency;

    private DependencyFailure(int status, String title, String dependency, String detail, Throwable cause) {
        super(status, title, dependency + ": " + detail, cause);
        this.dependency = dependency;
    }

    public static DependencyFailure failed(String dependency, String detail, Throwable cause) {
        return new DependencyFailure(502, "Bad Gateway", dependency, detail, cause);
    }

    public static DependencyFailure timedOut(String dependency, String detail, Throwable cause) {
        return new DependencyFailure(504, "Gateway Timeout", dependency, detail, cause);
    }

    public String dependency() {
        return dependency;
    }
}
