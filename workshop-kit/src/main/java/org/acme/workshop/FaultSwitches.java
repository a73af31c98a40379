package org.acme.workshop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * The fault switches of this service: which exist, which are on, and what they do to a call.
 * <ul>
 * <li>{@code latency} and {@code error} on every fault point, each named like the span it happens in: a REST
 * endpoint ({@link HttpFaultPoints}, {@code GET /users/{id}/history}), a gRPC method ({@link GrpcFaultPoints},
 * {@code videosite.video.v1.VideoCatalogService/ListVideos}), an operation the service times with
 * {@code @Timed} inside a {@code @WithSpan} span ({@link TimedFaultPoints}, {@code db.find_video});</li>
 * <li>the switches this service declares in {@code app.faults.switches} ({@code kind:target}): the domain's
 * scenario flags, which its code reads through OpenFeature ({@link ScenarioFlags}), and {@code drop-context}
 * ({@link ContextDrop}).</li>
 * </ul>
 * A call a fault touches carries {@code app.fault} on its span; {@code app_faults_active{fault}} is 1
 * while a fault is on; switching logs one INFO line. All are off at start. Nothing here runs unless the
 * service sets {@code workshop.faults.enabled=true}.
 */
@ApplicationScoped
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
public class FaultSwitches {

    /** The build property that switches the kit on in a service. */
    public static final String ENABLED = "workshop.faults.enabled";
    public static final String LATENCY = "latency";
    public static final String ERROR = "error";
    public static final String STAIRCASE = "staircase";
    public static final String EXPENSIVE = "expensive";
    public static final AttributeKey<String> FAULT_ATTRIBUTE = AttributeKey.stringKey("app.fault");
    static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger(FaultSwitches.class);

    /** Every switch this service has, by name, with what it reaches. */
    private final SortedMap<String, String> available = Collections.synchronizedSortedMap(new TreeMap<>());
    private final Map<String, Fault> active = new ConcurrentHashMap<>();
    private final Map<Method, String> httpPoints = new ConcurrentHashMap<>();

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "app.faults.switches")
    Optional<List<String>> declared;

    void discover(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, BeanManager beans) {
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Method[] methods;
            try {
                methods = bean.getBeanClass().getDeclaredMethods();
            } catch (LinkageError optionalDependencyMissing) { // a framework bean for a library this service lacks
                continue;
            }
            for (Method method : methods) {
                String http = httpPoint(method);
                String point = http != null ? http : TimedFaultPoints.pointOf(method);
                if (point != null) {
                    offerPoint(point);
                }
            }
        }
        for (String entry : declared.orElse(List.of())) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("app.faults.switches: '" + entry + "' is not kind:target");
            }
            offer(entry.substring(0, colon), entry.substring(colon + 1), "declared by this service");
        }
        LOG.debugf("Fault switches: %s", available.keySet());
    }

    /** Offers {@code latency} and {@code error} on the fault point {@code name}. */
    void offerPoint(String name) {
        offer(LATENCY, name, "adds latency to " + name);
        offer(ERROR, name, "makes " + name + " fail");
    }

    private void offer(String kind, String target, String what) {
        String name = Fault.name(kind, target);
        if (available.putIfAbsent(name, what) == null) {
            Gauge.builder("app.faults.active", active, faults -> faults.containsKey(name) ? 1 : 0)
                    .description("1 while the fault switch is on")
                    .tag("fault", name)
                    .register(registry);
        }
    }

    /** The REST endpoint's name as its server span shows it ({@code GET /users/{id}/history}), or null. */
    String httpPoint(Method method) {
        return httpPoints.computeIfAbsent(method, m -> {
            String verb = null;
            for (var annotation : m.getAnnotations()) {
                HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
                if (http != null) {
                    verb = http.value();
                }
            }
            Path classPath = m.getDeclaringClass().getAnnotation(Path.class);
            if (verb == null || classPath == null) {
                return "";
            }
            Path methodPath = m.getAnnotation(Path.class);
            String path = ("/" + classPath.value() + "/" + (methodPath == null ? "" : methodPath.value()))
                    .replaceAll("/+", "/");
            return verb + " " + (path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        }).transform(name -> name.isEmpty() ? null : name);
    }

    // --- What a fault does to a call ------------------------------------------------------------------

    /** At a fault point, on a thread that may wait: adds the latency, then fails if the error switch strikes. */
    public void at(String point) {
        Fault slow = touching(LATENCY, point);
        if (slow != null) {
            pause(slow.latency());
        }
        if (strikes(ERROR, point)) {
            throw InjectedFault.at(point);
        }
    }

    /** The same as {@link #at} without blocking a thread: completes after the latency, or fails. */
    public Uni<Void> atLater(String point) {
        Fault slow = touching(LATENCY, point);
        Uni<Void> wait = slow == null ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(slow.latency());
        return wait.onItem().transformToUni(nothing -> strikes(ERROR, point)
                ? Uni.createFrom().failure(InjectedFault.at(point))
                : Uni.createFrom().voidItem());
    }

    /** The fault {@code kind:target} if it is on, marking the current span as touched by it; else null. */
    public Fault touching(String kind, String target) {
        if (active.isEmpty()) { // the usual case, on every request and query: no name to build, nothing to look up
            return null;
        }
        Fault fault = active.get(Fault.name(kind, target));
        if (fault != null) {
            mark(Span.current(), fault.name());
        }
        return fault;
    }

    /** Whether the fault {@code kind:target} is on and this call is one it makes fail. */
    public boolean strikes(String kind, String target) {
        Fault fault = touching(kind, target);
        return fault != null && fault.strikes();
    }

    /** Names the fault on the span; a span two faults touch names both ({@code drop-context:a,drop-context:b}). */
    private static void mark(Span span, String fault) {
        String already = span instanceof ReadableSpan readable ? readable.getAttribute(FAULT_ATTRIBUTE) : null;
        if (already == null) {
            span.setAttribute(FAULT_ATTRIBUTE, fault);
        } else if (!List.of(already.split(",")).contains(fault)) {
            span.setAttribute(FAULT_ATTRIBUTE, already + "," + fault);
        }
    }

    private static void pause(Duration latency) {
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- Switching -------------------------------------------------------------------------------------

    /** Switches {@code kind:target} on (or changes its settings). Throws IllegalArgumentException, in words, on bad settings. */
    public Fault switchOn(String kind, String target, Duration delay, Duration jitter, Double rate) {
        String name = Fault.name(kind, target);
        if (!available.containsKey(name)) {
            throw new IllegalArgumentException("this service has no fault switch " + name
                    + "; GET /admin/faults lists the " + available.size() + " it has");
        }
        Duration d = delay != null ? delay
                : kind.equals(STAIRCASE) ? Duration.ofMillis(20)
                : kind.equals(EXPENSIVE) ? Duration.ofMillis(100)
                : Duration.ZERO;
        Duration j = jitter != null ? jitter : Duration.ZERO;
        double r = rate != null ? rate : 1.0;
        if (kind.equals(LATENCY) && d.isZero() && j.isZero()) {
            throw new IllegalArgumentException("a latency fault needs a delay, for example 300ms");
        }
        if (d.isNegative() || j.isNegative() || d.plus(j).compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("delay and jitter must be between 0 and " + MAX_DELAY.toSeconds() + "s in all");
        }
        if (!(r > 0 && r <= 1)) {
            throw new IllegalArgumentException("rate must be more than 0 and at most 1, got " + r);
        }
        Fault fault = new Fault(kind, target, d, j, r, Instant.now());
        active.put(name, fault);
        LOG.infof("Fault switched on: %s (%s)", name, fault.settings());
        return fault;
    }

    /** Switches one fault off; false if it was not on. */
    public boolean switchOff(String name) {
        Fault removed = active.remove(name);
        if (removed != null) {
            LOG.infof("Fault switched off: %s", name);
        }
        return removed != null;
    }

    /** Switches every fault off; how many were on. */
    public int reset() {
        List<String> names = new ArrayList<>(active.keySet());
        names.forEach(this::switchOff);
        return names.size();
    }

    public List<Fault> active() {
        return active.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    public Map<String, String> available() {
        synchronized (available) {
            return new TreeMap<>(available);
        }
    }
}
