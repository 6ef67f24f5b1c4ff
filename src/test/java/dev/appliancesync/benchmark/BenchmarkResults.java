package dev.appliancesync.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What one benchmark hands to the results table ({@link BenchmarkTable}): its figures, each the service's number next
 * to a baseline measured side by side in the same run (the build machines are noisy, so only the ratio travels), plus
 * details that have no baseline. Written as {@code target/benchmarks/<id>.json}; files, not memory, because each
 * {@code @QuarkusTest} class runs in a class loader of its own.
 */
public final class BenchmarkResults {

    /** Where the results go; the benchmarks profile passes it so the normal test run never writes there. */
    static final Path DIRECTORY = Path.of(System.getProperty("appliance-sync.bench.results", "target/benchmarks"));

    /** Which way is better, so the table can say whether a ratio is a cost or a share of the baseline. */
    public enum Better {
        LOWER, HIGHER
    }

    private final JsonObject json;
    private final JsonArray figures = new JsonArray();
    private final JsonArray details = new JsonArray();

    private BenchmarkResults(int number, String id, String title) {
        json = new JsonObject().put("number", number).put("id", id).put("title", title)
                .put("figures", figures).put("details", details);
    }

    /** {@code number} orders the table (the list); {@code id} names the file. */
    public static BenchmarkResults of(int number, String id, String title) {
        return new BenchmarkResults(number, id, title);
    }

    /** How it was measured: load, sizes, what the baseline is. One or two sentences for the table's notes. */
    public BenchmarkResults conditions(String conditions) {
        json.put("conditions", conditions);
        return this;
    }

    public BenchmarkResults baseline(String baseline) {
        json.put("baseline", baseline);
        return this;
    }

    /**
     * One of several baselines, named by {@code label} in the figures measured against it
     * ({@link #figure(String, String, Better, double, Against...)}); described in the table as "label: description".
     */
    public BenchmarkResults baseline(String label, String description) {
        String named = label + ": " + description;
        String before = json.getString("baseline");
        json.put("baseline", before == null ? named : before + "; " + named);
        return this;
    }

    /** A baseline's number for one measure, and which baseline it is. */
    public record Against(String label, double value) {
    }

    public static Against against(String label, double value) {
        return new Against(label, value);
    }

    /** A figure: {@code service} against the benchmark's {@link #baseline}, both in {@code unit}. */
    public BenchmarkResults figure(String measure, String unit, Better better, double service, double baseline) {
        return figure(measure, unit, better, service, baseline, null);
    }

    /** A figure against a baseline of its own, named by {@code baselineLabel} next to its number. */
    public BenchmarkResults figure(String measure, String unit, Better better, double service, double baseline,
            String baselineLabel) {
        figures.add(new JsonObject().put("measure", measure).put("unit", unit).put("better", better.name())
                .put("service", service).put("baseline", baseline).put("baselineLabel", baselineLabel)
                .put("ratio", baseline == 0 ? null : service / baseline));
        return this;
    }

    /** One measure against several baselines: a figure (one row of the table) per baseline, in the order given. */
    public BenchmarkResults figure(String measure, String unit, Better better, double service, Against... baselines) {
        for (Against baseline : baselines) {
            figure(measure, unit, better, service, baseline.value(), baseline.label());
        }
        return this;
    }

    /** A number without a baseline of its own (counts, checks), shown under the figures. */
    public BenchmarkResults detail(String measure, String value) {
        details.add(new JsonObject().put("measure", measure).put("value", value));
        return this;
    }

    /** What {@link #write} writes, for the table's own test. */
    JsonObject json() {
        return json;
    }

    public void write() {
        json.put("measuredAt", Instant.now().toString());
        try {
            Files.createDirectories(DIRECTORY);
            Files.writeString(DIRECTORY.resolve(json.getString("id") + ".json"), json.encodePrettily());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("BENCHMARK RESULT " + json.encode());
    }
}
