package dev.appliancesync.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;

/**
 * Where a device message's time goes inside the service: the stage timers of {@link ServiceMetrics#DEVICE_PATH}
 * (and the delivery lag of live changes), scraped before and after a measured window and read as percentiles of what
 * the window added. The timers are Prometheus histograms (cumulative bucket counts that never decay), so the
 * difference of two snapshots is the window's own histogram; a percentile is interpolated inside its bucket (the
 * buckets are about a third apart), so these are estimates to find the big stages with, not exact figures.
 */
final class DevicePathTrace {

    private record Stage(String label, Timer timer) {
    }

    private record Scrape(long count, double[] bounds, double[] cumulative) {
    }

    private final List<Stage> stages = new ArrayList<>();
    private final Map<String, Scrape> before = new LinkedHashMap<>();

    DevicePathTrace(MeterRegistry registry) {
        add(registry, ServiceMetrics.DevicePathStage.QUEUED,
                "MQTT arrival → its batch starts (`queued`, per message)");
        add(registry, ServiceMetrics.DevicePathStage.APPLIED, "batch start → commit (`applied`, per message)");
        add(registry, ServiceMetrics.DevicePathStage.WOKEN, "feed woken → its read starts (`woken`, per read)");
        add(registry, ServiceMetrics.DevicePathStage.READ,
                "transaction start → the feed has read the entry (`read`, per entry)");
        add(registry, ServiceMetrics.DevicePathStage.HANDED,
                "read → offered to every subscription (`handed`, per entry)");
        Timer lag = registry.find(ServiceMetrics.REALTIME_DELIVERY_LAG).timer();
        if (lag != null) {
            stages.add(new Stage("transaction start → offered to a subscription (`realtime.delivery_lag`)", lag));
        }
    }

    private void add(MeterRegistry registry, ServiceMetrics.DevicePathStage stage, String label) {
        Timer timer = registry.find(ServiceMetrics.DEVICE_PATH).tag("stage", stage.name().toLowerCase(Locale.ROOT))
                .timer();
        if (timer != null) {
            stages.add(new Stage(label, timer));
        }
    }

    /** The window starts now. */
    void start() {
        stages.forEach(stage -> before.put(stage.label(), scrape(stage.timer())));
    }

    /** A Markdown table of each stage in the window since {@link #start()}: count, p50, p99 (ms). */
    String table() {
        StringBuilder table = new StringBuilder("| service stage (histogram estimate) | n | p50 | p99 |\n"
                + "| --- | --- | --- | --- |\n");
        for (Stage stage : stages) {
            Scrape from = before.get(stage.label());
            Scrape to = scrape(stage.timer());
            long count = to.count() - from.count();
            table.append("| %s | %,d | %s | %s |\n".formatted(stage.label(), count, percentile(from, to, count, 0.50),
                    percentile(from, to, count, 0.99)));
        }
        return table.toString();
    }

    private static Scrape scrape(Timer timer) {
        CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
        double[] bounds = new double[buckets.length];
        double[] cumulative = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
            cumulative[i] = buckets[i].count();
        }
        return new Scrape(timer.count(), bounds, cumulative);
    }

    private static String percentile(Scrape from, Scrape to, long count, double p) {
        if (count == 0 || to.bounds().length == 0) {
            return "-";
        }
        double rank = p * count;
        double previousBound = 0;
        double previousCount = 0;
        for (int i = 0; i < to.bounds().length; i++) {
            double inWindow = to.cumulative()[i] - (i < from.cumulative().length ? from.cumulative()[i] : 0);
            if (inWindow >= rank) {
                double share = inWindow == previousCount ? 1 : (rank - previousCount) / (inWindow - previousCount);
                return "%.2f ms".formatted(previousBound + share * (to.bounds()[i] - previousBound));
            }
            previousBound = to.bounds()[i];
            previousCount = inWindow;
        }
        return "> %.0f ms".formatted(previousBound);
    }
}
