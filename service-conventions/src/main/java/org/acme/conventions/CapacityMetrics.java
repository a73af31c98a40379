package org.acme.conventions;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The sizes of the resources a service can run out of, as metrics, beside the use Quarkus already measures, so
 * that a rule can say how full each one is and how much the traffic can grow before it is full:
 * <ul>
 * <li>{@code app_cpu_allowance_cores}: the CPU the kernel lets this process use ({@link CpuAllowance}), read at
 * every scrape (a container's allowance can change while it runs); its use is the rate of
 * {@code process_cpu_time_ns_total}.</li>
 * <li>{@code app_db_pool_max_connections}: the size of the default datasource's connection pool
 * ({@code quarkus.datasource.jdbc.max-size}, Quarkus' default 20), only in a service that has a datasource; its
 * use is Agroal's {@code agroal_active_count} and {@code agroal_awaiting_count}
 * ({@code quarkus.datasource.metrics.enabled}) and, by Little's law, the rate of the queries' time.</li>
 * </ul>
 * The worker pool needs nothing here: Quarkus' {@code worker_pool_active} and {@code worker_pool_idle} add up to
 * its size.
 */
@IfBuildProperty(name = Conventions.CAPACITY_METRICS, stringValue = "true")
@Singleton
public class CapacityMetrics implements MeterBinder {

    /** Quarkus' default for {@code quarkus.datasource.jdbc.max-size}. */
    static final int DEFAULT_POOL_MAX = 20;

    private final CpuAllowance cpu = new CpuAllowance();

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("app.cpu.allowance", cpu, CpuAllowance::cores)
                .baseUnit("cores")
                .description("The CPU the kernel lets this process use (its cgroup's quota; without one, the processors it sees)")
                .register(registry);
        Config config = ConfigProvider.getConfig();
        if (config.getOptionalValue("quarkus.datasource.db-kind", String.class).isPresent()) {
            int max = config.getOptionalValue("quarkus.datasource.jdbc.max-size", Integer.class).orElse(DEFAULT_POOL_MAX);
            Gauge.builder("app.db.pool.max", () -> max)
                    .baseUnit("connections")
                    .description("The size of the default datasource's connection pool")
                    .register(registry);
        }
    }
}
