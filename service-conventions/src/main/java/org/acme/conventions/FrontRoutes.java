package org.acme.conventions;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Which front request each call a service serves belongs to, so that the fan-out of each kind of front request (the
 * home page, a video's page, an upload, a heartbeat) can be read from the site's own metrics:
 * <ul>
 * <li>The edge (the gateway, {@code conventions.calls-by-front-route.edge=true}) puts the route of the request it
 * serves, {@code GET /api/home}, into the W3C baggage as {@code front.route}; it starts the baggage afresh, so that
 * nothing a caller from outside sends travels further in. Quarkus propagates baggage on every REST and gRPC call
 * (its default propagators are {@code tracecontext,baggage}), and every hop forwards it.</li>
 * <li>Every service counts the calls it serves, {@code app_calls_served_total{front_route}}: REST calls here, gRPC
 * calls in {@link FrontRouteOfGrpcCalls}. The route is read from the call's own {@code baggage} header, whatever the
 * sampler decided. A call without one is counted under {@code none}; a value that is not a route, or a route past
 * the {@value #MAX_ROUTES} first ones a process has seen, under {@code other}: a caller cannot grow the label.</li>
 * </ul>
 * The recording rule {@code front_route_job:calls_per_front_request:ratio_rate5m} divides each service's calls by the
 * gateway's own count of the same route.
 */
@IfBuildProperty(name = Conventions.CALLS_BY_FRONT_ROUTE, stringValue = "true")
public class FrontRoutes {

    /** The baggage entry that carries the front route. */
    public static final String BAGGAGE_KEY = "front.route";
    static final String NONE = "none";
    static final String OTHER = "other";
    /** The most routes one process counts under their own label; later ones are counted under {@code other}. */
    static final int MAX_ROUTES = 32;
    static final Pattern ROUTE = Pattern.compile("(GET|HEAD|POST|PUT|PATCH|DELETE) /[A-Za-z0-9/{}._-]{0,120}");
    private static final Pattern PARAMETER_REGEX = Pattern.compile("\\{\\s*([A-Za-z0-9_.-]+)\\s*:[^}]*}");
    private static final String SCOPE = FrontRoutes.class.getName() + ".scope";
    private static final TextMapGetter<String> HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String header) {
            return List.of("baggage");
        }

        @Override
        public String get(String header, String key) {
            return "baggage".equals(key) ? header : null;
        }
    };

    private final MeterRegistry registry;
    private final boolean edge;
    private final Set<String> routes = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Method, String> templates = new ConcurrentHashMap<>();

    @Inject
    public FrontRoutes(MeterRegistry registry,
            @ConfigProperty(name = "conventions.calls-by-front-route.edge", defaultValue = "false") boolean edge) {
        this.registry = registry;
        this.edge = edge;
    }

    /** At the edge, the request's own route goes into a fresh baggage; elsewhere, the caller's baggage names it. */
    @ServerRequestFilter
    public void countCall(ContainerRequestContext request, ResourceInfo resource) {
        if (!edge) {
            count(routeInBaggage(request.getHeaderString("baggage")));
            return;
        }
        String route = accepted(templates.computeIfAbsent(resource.getResourceMethod(),
                method -> template(request.getMethod(), resource.getResourceClass(), method)));
        count(route);
        request.setProperty(SCOPE, Context.current().with(Baggage.builder().put(BAGGAGE_KEY, route).build()).makeCurrent());
    }

    @ServerResponseFilter
    public void leaveRoute(ContainerRequestContext request) {
        if (request.getProperty(SCOPE) instanceof Scope scope) {
            request.removeProperty(SCOPE);
            scope.close();
        }
    }

    /** Counts one call served for a front route (as {@link #routeInBaggage} or {@link #accepted} give it). */
    public void count(String route) {
        String label = route;
        if (!NONE.equals(route) && !OTHER.equals(route) && !routes.contains(route)) {
            synchronized (routes) {
                if (routes.size() < MAX_ROUTES) {
                    routes.add(route);
                }
            }
            label = routes.contains(route) ? route : OTHER;
        }
        counters.computeIfAbsent(label, l -> Counter.builder("app.calls.served")
                .tag("front_route", l)
                .description("Calls this service served, by the front request (the gateway's route) they belong to")
                .register(registry)).increment();
    }

    /** The front route a raw W3C {@code baggage} header names: the route, {@code none}, or {@code other}. */
    public static String routeInBaggage(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        Context context = W3CBaggagePropagator.getInstance().extract(Context.root(), header, HEADER);
        String value = Baggage.fromContext(context).getEntryValue(BAGGAGE_KEY);
        return value == null ? NONE : accepted(value);
    }

    /** A route as a label: the value if it looks like {@code METHOD /path/{param}}, else {@code other}. */
    static String accepted(String route) {
        return route != null && ROUTE.matcher(route).matches() ? route : OTHER;
    }

    /** {@code GET /api/videos/{id}}: the HTTP method and the resource's path template (class and method {@code @Path}). */
    static String template(String httpMethod, Class<?> resourceClass, Method method) {
        StringBuilder path = new StringBuilder();
        for (Path part : new Path[] { resourceClass == null ? null : resourceClass.getAnnotation(Path.class),
                method == null ? null : method.getAnnotation(Path.class) }) {
            if (part != null) {
                path.append('/').append(part.value());
            }
        }
        String normalized = PARAMETER_REGEX.matcher(path).replaceAll("{$1}").replaceAll("/+", "/");
        if (normalized.length() > 1 && normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return httpMethod + " " + (normalized.isEmpty() ? "/" : normalized);
    }
}
