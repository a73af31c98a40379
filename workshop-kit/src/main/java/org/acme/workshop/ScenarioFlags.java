package org.acme.workshop;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.HookContext;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The domain's scenario switches ({@code cache-off:home-feed}, {@code expensive:recommendations}…) as an
 * OpenFeature provider: the business code asks OpenFeature for a flag named like the switch, and gets its
 * default (off) unless this kit is there and the trainer has switched it on ({@code scripts/fault}). A boolean
 * flag is on for the share of evaluations the switch's rate says; a number flag is the switch's delay in
 * milliseconds. Each evaluation is an event on the current span, as OpenTelemetry's feature-flag semantic
 * conventions name it, and a switched-on flag marks the span with {@code app.fault}.
 */
@ApplicationScoped
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
public class ScenarioFlags implements FeatureProvider {

    static final String PROVIDER_NAME = "workshop-fault-switches";
    static final String EVALUATION_EVENT = "feature_flag.evaluation";
    static final AttributeKey<String> KEY = AttributeKey.stringKey("feature_flag.key");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("feature_flag.provider.name");
    static final AttributeKey<String> VARIANT = AttributeKey.stringKey("feature_flag.result.variant");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("feature_flag.result.reason");

    @Inject
    FaultSwitches faults;

    void register(@Observes StartupEvent event) {
        OpenFeatureAPI api = OpenFeatureAPI.getInstance();
        replaceOwnHook(api, new EvaluationEvents());
        api.setProviderAndWait(this);
    }

    // The API is a singleton of the JVM: a restarted application (dev mode, tests) finds the last one's hook there.
    void unregister(@Observes ShutdownEvent event) {
        OpenFeatureAPI api = OpenFeatureAPI.getInstance();
        replaceOwnHook(api, null);
        api.setProvider(new NoOpProvider());
    }

    /** Leaves the hooks others added, with this kit's own (if not null) in place of any earlier one of it. */
    private static void replaceOwnHook(OpenFeatureAPI api, EvaluationEvents own) {
        List<Hook> others = api.getHooks().stream().filter(hook -> !(hook instanceof EvaluationEvents)).toList();
        api.clearHooks();
        api.addHooks(others.toArray(Hook[]::new));
        if (own != null) {
            api.addHooks(own);
        }
    }

    @Override
    public Metadata getMetadata() {
        return () -> PROVIDER_NAME;
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext context) {
        Fault fault = switchedOn(key);
        if (fault == null) {
            return byDefault(defaultValue);
        }
        boolean on = fault.strikes(); // drawn once: the variant recorded is the value given
        return ProviderEvaluation.<Boolean> builder().value(on).variant(on ? "on" : "off")
                .reason((fault.rate() >= 1.0 ? Reason.TARGETING_MATCH : Reason.SPLIT).toString()).build();
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext context) {
        Fault fault = switchedOn(key);
        return fault == null ? byDefault(defaultValue) : switched((int) fault.delay().toMillis(), "on");
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext context) {
        Fault fault = switchedOn(key);
        return fault == null ? byDefault(defaultValue) : switched(fault.rate(), "on");
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext context) {
        return byDefault(defaultValue);
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext context) {
        return byDefault(defaultValue);
    }

    /** The switch a flag is named after ({@code kind:target}), if it is on; marks the current span. */
    private Fault switchedOn(String key) {
        int colon = key.indexOf(':');
        return colon <= 0 ? null : faults.touching(key.substring(0, colon), key.substring(colon + 1));
    }

    private static <T> ProviderEvaluation<T> byDefault(T value) {
        return ProviderEvaluation.<T> builder().value(value).reason(Reason.DEFAULT.toString()).build();
    }

    private static <T> ProviderEvaluation<T> switched(T value, String variant) {
        return ProviderEvaluation.<T> builder().value(value).variant(variant).reason(Reason.TARGETING_MATCH.toString()).build();
    }

    /** Records every flag evaluation on the current span ({@code feature_flag.evaluation}). */
    static final class EvaluationEvents implements Hook<Object> {

        @Override
        public void after(HookContext<Object> context, FlagEvaluationDetails<Object> details, Map<String, Object> hints) {
            var attributes = Attributes.builder()
                    .put(KEY, details.getFlagKey())
                    .put(PROVIDER, context.getProviderMetadata().getName());
            if (details.getVariant() != null) {
                attributes.put(VARIANT, details.getVariant());
            }
            if (details.getReason() != null) {
                attributes.put(REASON, details.getReason().toLowerCase());
            }
            Span.current().addEvent(EVALUATION_EVENT, attributes.build());
        }
    }
}
