package org.acme.conventions;

/**
 * A failure with a known HTTP meaning: thrown by domain code, answered as problem+json.
 * The detail is shown to the client, so it says what was wrong in words a client can act on.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    public ProblemException(int status, String title, String detail, Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.title = title;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    /** The client's own input as a detail may quote it: cut at 40 characters, control characters shown as '?'. */
    public static String excerpt(String raw) {
        String cut = raw.length() <= 40 ? raw : raw.substring(0, 40) + "…";
        return cut.replaceAll("\\p{Cc}", "?");
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
