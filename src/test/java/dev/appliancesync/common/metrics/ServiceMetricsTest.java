package dev.appliancesync.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Every metric name is declared once in ServiceMetrics, and every meter it builds uses one of them. */
class ServiceMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ServiceMetrics metrics = new ServiceMetrics(registry);
    /** Gauges hold their state weakly: keep it while the test reads the registry. */
    private final List<Object> gaugeStates = new ArrayList<>();

    @Test
    void theMetersBuiltAreExactlyTheNamesDeclared() throws Exception {
        for (Method method : ServiceMetrics.class.getDeclaredMethods()) {
            if (Modifier.isPublic(method.getModifiers())) {
                method.invoke(metrics, Arrays.stream(method.getParameterTypes()).map(this::sample).toArray());
            }
        }

        // A timer's percentiles are gauges of their own ("....percentile"), associated with the timer.
        Set<String> built = registry.getMeters().stream().map(Meter::getId)
                .map(id -> id.syntheticAssociation() == null ? id : id.syntheticAssociation())
                .map(Meter.Id::getName).collect(Collectors.toSet());
        assertThat(built).containsExactlyInAnyOrderElementsOf(declaredNames());
    }

    @Test
    void namesAreUniqueAndCarryTheServicesPrefix() throws Exception {
        List<String> names = declaredNames();

        assertThat(names).doesNotHaveDuplicates().allMatch(name -> name.startsWith("appliance_sync."));
    }

    @Test
    void askingTwiceGivesTheSameMeter() {
        assertThat(metrics.ingestDeadLetters("UNPARSEABLE")).isSameAs(metrics.ingestDeadLetters("UNPARSEABLE"));
        assertThat(metrics.claimCodeChecks("MATCHED")).isNotSameAs(metrics.claimCodeChecks("REFUSED"));
    }

    private static List<String> declaredNames() throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field field : ServiceMetrics.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                names.add((String) field.get(null));
            }
        }
        return names;
    }

    private Object sample(Class<?> type) {
        if (type == String.class) {
            return "sample";
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0]; // an error code, a device-path stage...
        }
        if (type == ToDoubleFunction.class) {
            return (ToDoubleFunction<Object>) state -> 0;
        }
        Object state = type == AtomicInteger.class ? new AtomicInteger()
                : type == AtomicLong.class ? new AtomicLong() : new Object();
        gaugeStates.add(state);
        return state;
    }
}
