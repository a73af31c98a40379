package org.acme.e2e;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.acme.e2e.OtlpReceiver.ReceivedSpan;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;

/** The spans of one trace as a tree: parent links checked, and printable as an indented outline. */
public final class SpanTree {

    private final List<ReceivedSpan> spans;
    private final Map<String, ReceivedSpan> byId = new LinkedHashMap<>();

    public SpanTree(List<ReceivedSpan> spans) {
        this.spans = spans;
        for (ReceivedSpan span : spans) {
            if (byId.put(span.spanId(), span) != null) {
                throw new AssertionError("span " + span.spanId() + " received twice:\n" + render());
            }
        }
    }

    public List<ReceivedSpan> spans() {
        return spans;
    }

    public List<ReceivedSpan> roots() {
        return spans.stream().filter(s -> s.span().getParentSpanId().isEmpty()).toList();
    }

    public List<ReceivedSpan> orphans() {
        return spans.stream().filter(s -> !s.span().getParentSpanId().isEmpty() && !byId.containsKey(s.parentSpanId()))
                .toList();
    }

    public List<ReceivedSpan> children(ReceivedSpan parent) {
        return spans.stream().filter(s -> s.parentSpanId().equals(parent.spanId()))
                .sorted(Comparator.comparingLong(s -> s.span().getStartTimeUnixNano())).toList();
    }

    public Optional<ReceivedSpan> parent(ReceivedSpan span) {
        return Optional.ofNullable(byId.get(span.parentSpanId()));
    }

    /** The nearest SERVER span above a span: whose request it was made in. */
    public Optional<ReceivedSpan> enclosingServer(ReceivedSpan span) {
        Optional<ReceivedSpan> current = parent(span);
        while (current.isPresent() && current.get().span().getKind() != SpanKind.SPAN_KIND_SERVER) {
            current = parent(current.get());
        }
        return current;
    }

    public List<ReceivedSpan> find(String service, SpanKind kind, String name) {
        return spans.stream().filter(s -> s.service().equals(service) && s.span().getKind() == kind
                && (name == null || s.span().getName().equals(name))).toList();
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        List<ReceivedSpan> tops = new ArrayList<>(roots());
        tops.addAll(orphans());
        for (ReceivedSpan root : tops) {
            render(root, 0, out);
        }
        return out.toString();
    }

    private void render(ReceivedSpan span, int depth, StringBuilder out) {
        long micros = (span.span().getEndTimeUnixNano() - span.span().getStartTimeUnixNano()) / 1000;
        out.append("  ".repeat(depth))
                .append(span.service()).append(": ").append(span.span().getName())
                .append(" [").append(span.span().getKind().name().replace("SPAN_KIND_", "").toLowerCase()).append("]")
                .append(span.span().getStatus().getCode().getNumber() == 2 ? " ERROR" : "")
                .append(" ").append(micros / 1000.0).append(" ms\n");
        for (ReceivedSpan child : children(span)) {
            render(child, depth + 1, out);
        }
    }
}
