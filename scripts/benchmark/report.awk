# The table of scripts/benchmark.sh, from its lines "round setting metric value": per figure the values with
# telemetry on and off (one per round), their ratio per round (on / off), and issue 12's target for it.
{
    value[$3, $2, $1] = $4
    if ($1 > rounds) rounds = $1
}

function list(metric, setting, scale,    r, out) {
    out = ""
    for (r = 1; r <= rounds; r++) out = out (r > 1 ? ", " : "") fmt(value[metric, setting, r] / scale)
    return out
}

function fmt(x) {
    return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.3g", x)
}

function ratios(metric,    r, out) {
    out = ""
    for (r = 1; r <= rounds; r++)
        out = out (r > 1 ? ", " : "") (value[metric, "off", r] > 0 ? sprintf("%.2f", value[metric, "on", r] / value[metric, "off", r]) : "-")
    return out
}

function row(label, metric, scale, target) {
    if (!((metric, "on", 1) in value) && !((metric, "off", 1) in value)) return
    printf "| %s | %s | %s | %s | %s |\n", label, list(metric, "on", scale), list(metric, "off", scale), ratios(metric), target
}

# CPU added per exported span: (CPU per request on - off) / spans per request on, in ms, per round.
function per_span(load,    r, out, spans) {
    out = ""
    for (r = 1; r <= rounds; r++) {
        spans = value[load ".spans_per_request", "on", r]
        out = out (r > 1 ? ", " : "") (spans > 0 ? sprintf("%.3f", (value[load ".cpu_ms_per_request", "on", r] \
            - value[load ".cpu_ms_per_request", "off", r]) / spans) : "-")
    }
    return out
}

END {
    print "| figure (one value per round) | telemetry on | SDK off | ratio on/off | target |"
    print "|---|---|---|---|---|"
    for (l = 1; l <= 2; l++) {
        load = l == 1 ? "home" : "mixed"
        name = l == 1 ? "home, one user (cache hit)" : "mixed (feed computed, views, heartbeats)"
        row("CPU ms per request, " name, load ".cpu_ms_per_request", 1, "≤ 1.15")
        row("requests/s, " name, load ".requests_per_s", 1, "≥ 0.85")
        row("p50 ms, " name, load ".p50_ms", 1, "")
        row("p99 ms, " name, load ".p99_ms", 1, "")
        row("spans per request, " name, load ".spans_per_request", 1, "")
        row("log records per request, " name, load ".logs_per_request", 1, "")
        row("metric points per request, " name, load ".points_per_request", 1, "")
        row("failed requests (wrk errors), " name, load ".errors", 1, "")
        row("warm-up requests (until the JIT settled), " name, load ".warmup_requests", 1, "")
        row("JIT compilers' share of the CPU while measured, %, " name, load ".jit_percent", 1, "")
        if (!((load ".spans_per_request", "on", 1) in value)) continue
        printf "| added CPU ms per exported span, %s | %s | | | ≤ 0.05 |\n", name, per_span(load)
    }
    row("started-in s, four together", "startup_together", 1000, "≤ 4 (on)")
    split("user-service video-service recommend-service gateway-service", services, " ")
    for (s = 1; s <= 4; s++) row("started-in s, " services[s] " alone", "startup_alone." services[s], 1000, "≤ 1.5 (on)")
    row("shutdown s, four at once (the last to exit)", "shutdown_together", 1000, "≤ 1 (on)")
    for (s = 1; s <= 4; s++) row("shutdown s, " services[s] " alone", "shutdown_alone." services[s], 1000, "")
    row("RSS MiB of the four, at ready", "rss_at_ready_mib", 1, "")
    row("RSS MiB of the four, after the loads", "rss_after_load_mib", 1, "")
}
