package org.acme.conventions.testing;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the classes of a module that would act by being on the class path: a CDI bean, interceptor, Jakarta
 * REST filter or exception mapper, event observer, producer, OpenAPI filter or gRPC interceptor, without a
 * build property that the service must set to switch it on ({@code @IfBuildProperty}). Shared through the test
 * jar by the modules other services depend on.
 */
public final class ExplicitActivation {

    /** Annotations (by name: a module need not have them all) that make a class act when it is discovered. */
    private static final Set<String> ACTIVE_ON_CLASS = Set.of(
            "jakarta.enterprise.context.ApplicationScoped", "jakarta.enterprise.context.RequestScoped",
            "jakarta.enterprise.context.Dependent", "jakarta.inject.Singleton", "jakarta.interceptor.Interceptor",
            "jakarta.ws.rs.ext.Provider", "jakarta.ws.rs.Path", "io.quarkus.smallrye.openapi.OpenApiFilter",
            "io.quarkus.grpc.GlobalInterceptor", "io.quarkus.runtime.Startup");
    private static final Set<String> ACTIVE_ON_METHOD = Set.of(
            "org.jboss.resteasy.reactive.server.ServerExceptionMapper",
            "org.jboss.resteasy.reactive.server.ServerRequestFilter",
            "org.jboss.resteasy.reactive.server.ServerResponseFilter", "jakarta.enterprise.inject.Produces",
            "io.quarkus.scheduler.Scheduled", "io.quarkus.vertx.web.Route", "io.quarkus.vertx.ConsumeEvent");
    private static final Set<String> OBSERVES = Set.of("jakarta.enterprise.event.Observes", "jakarta.enterprise.event.ObservesAsync");
    private static final String SWITCH = "io.quarkus.arc.properties.IfBuildProperty";

    private ExplicitActivation() {
    }

    /** The names of the classes under {@code classes} (a build's output folder) that act without a switch. */
    public static List<String> unswitched(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .filter(name -> !name.matches(".*\\$[0-9]+.*")) // anonymous classes are no beans
                    .filter(ExplicitActivation::actsWithoutSwitch)
                    .sorted()
                    .toList();
        }
    }

    private static boolean actsWithoutSwitch(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, ExplicitActivation.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("cannot load " + className, e);
        }
        if (switchedOff(type.getAnnotations())) {
            return false;
        }
        if (has(type.getAnnotations(), ACTIVE_ON_CLASS)) {
            return true;
        }
        for (Method method : type.getDeclaredMethods()) {
            if (has(method.getAnnotations(), ACTIVE_ON_METHOD)) {
                return true;
            }
            for (Parameter parameter : method.getParameters()) {
                if (has(parameter.getAnnotations(), OBSERVES)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the class carries a build-property switch that is off unless the service sets it. */
    private static boolean switchedOff(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            String name = annotation.annotationType().getName();
            if (name.equals(SWITCH) && !enabledIfMissing(annotation)) {
                return true;
            }
            if (name.equals(SWITCH + "$List")) {
                try {
                    Annotation[] each = (Annotation[]) annotation.annotationType().getMethod("value").invoke(annotation);
                    if (each.length > 0 && java.util.Arrays.stream(each).noneMatch(ExplicitActivation::enabledIfMissing)) {
                        return true;
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return false;
    }

    private static boolean enabledIfMissing(Annotation ifBuildProperty) {
        try {
            return (Boolean) ifBuildProperty.annotationType().getMethod("enableIfMissing").invoke(ifBuildProperty);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean has(Annotation[] annotations, Set<String> names) {
        for (Annotation annotation : annotations) {
            if (names.contains(annotation.annotationType().getName())) {
                return true;
            }
        }
        return false;
    }
}
