package dev.appliancesync.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Assembles what the benchmarks wrote ({@link BenchmarkResults}) into {@code results.json} and {@code results.md}
 * (the table docs/benchmarks.md shows) when the JUnit session of {@code ./mvnw -Pbenchmarks test} ends. Registered as a
 * launcher session listener; it does nothing unless the benchmarks profile set {@code appliance-sync.bench.results}.
 * At the start it removes earlier results, so the table only ever holds one run's figures.
 */
public final class BenchmarkTable implements LauncherSessionListener {

    private static final String RESULTS = "results";

    private Instant started;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!enabled()) {
            return;
        }
        started = Instant.now();
        for (Path file : resultFiles()) {
            delete(file);
        }
        delete(BenchmarkResults.DIRECTORY.resolve(RESULTS + ".json"));
        delete(BenchmarkResults.DIRECTORY.resolve(RESULTS + ".md"));
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (enabled() && !resultFiles().isEmpty()) {
            String markdown = write(Duration.between(started, Instant.now()));
            System.out.println("\nBENCHMARK TABLE (" + BenchmarkResults.DIRECTORY.resolve(RESULTS + ".md") + ")\n");
            System.out.println(markdown);
        }
    }

    /**
     * Rebuilds both files from the per-benchmark files present, e.g. after running benchmarks one by one:
     * {@code java -cp target/test-classes:<test class path> dev.appliancesync.benchmark.BenchmarkTable}. The whole-run
     * time is then unknown (0).
     */
    public static void main(String[] args) {
        System.out.println(write(Duration.ZERO));
    }

    private static boolean enabled() {
        return System.getProperty("appliance-sync.bench.results") != null;
    }

    /** Writes both files from the per-benchmark files present and returns the Markdown. */
    static String write(Duration wholeRun) {
        List<JsonObject> benchmarks = new ArrayList<>();
        for (Path file : resultFiles()) {
            try {
                benchmarks.add(new JsonObject(Files.readString(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        benchmarks.sort(Comparator.<JsonObject>comparingInt(b -> b.getInteger("number")).thenComparing(b -> b.getString("id")));
        JsonObject machine = machine();
        JsonObject results = new JsonObject().put("measuredAt", Instant.now().toString())
                .put("wholeRunSeconds", wholeRun.toSeconds()).put("machine", machine)
                .put("benchmarks", new JsonArray(new ArrayList<>(benchmarks)));
        String markdown = markdown(results);
        try {
            Files.writeString(BenchmarkResults.DIRECTORY.resolve(RESULTS + ".json"), results.encodePrettily());
            Files.writeString(BenchmarkResults.DIRECTORY.resolve(RESULTS + ".md"), markdown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return markdown;
    }

    static String markdown(JsonObject results) {
        JsonObject machine = results.getJsonObject("machine");
        StringBuilder md = new StringBuilder();
        long wholeRun = results.getLong("wholeRunSeconds");
        md.append("Measured %s on %s (%d cores, %s GiB, %s), commit %s; %s. Ratio = appliance-sync ÷ baseline, both measured in the same run.%n%n"
                .formatted(results.getString("measuredAt").substring(0, 10), machine.getString("cpu"),
                        machine.getInteger("cores"), machine.getLong("memoryGiB"), machine.getString("java"),
                        machine.getString("commit"), wholeRun == 0 ? "assembled from benchmarks run one by one"
                                : "the whole run took " + minutes(wholeRun)));
        md.append("| # | benchmark (baseline) | measure | appliance-sync | baseline | ratio |\n");
        md.append("| --- | --- | --- | --- | --- | --- |\n");
        for (Object b : results.getJsonArray("benchmarks")) {
            JsonObject benchmark = (JsonObject) b;
            String name = "%s (%s)".formatted(benchmark.getString("title"), benchmark.getString("baseline", "no baseline"));
            boolean first = true;
            JsonObject previous = null;
            for (Object f : benchmark.getJsonArray("figures")) {
                JsonObject figure = (JsonObject) f;
                String unit = figure.getString("unit");
                Double ratio = figure.getDouble("ratio");
                // The same measure against another baseline: blank like the columns before it, so it reads as one.
                boolean again = previous != null && previous.getString("measure").equals(figure.getString("measure"))
                        && previous.getDouble("service").equals(figure.getDouble("service"));
                md.append("| %s | %s | %s | %s | %s | %s |\n".formatted(first ? benchmark.getInteger("number") : "",
                        first ? name : "", again ? "" : figure.getString("measure"),
                        again ? "" : amount(figure.getDouble("service"), unit),
                        amount(figure.getDouble("baseline"), unit) + (figure.getString("baselineLabel") == null ? ""
                                : " (" + figure.getString("baselineLabel") + ")"),
                        ratio == null ? "–" : "**%s×**".formatted(number(ratio))));
                first = false;
                previous = figure;
            }
        }
        md.append('\n');
        for (Object b : results.getJsonArray("benchmarks")) {
            JsonObject benchmark = (JsonObject) b;
            String conditions = benchmark.getString("conditions", "").strip();
            md.append("%d. **%s**: %s%s".formatted(benchmark.getInteger("number"), benchmark.getString("title"),
                    conditions, conditions.endsWith(".") ? "" : "."));
            List<String> details = new ArrayList<>();
            for (Object d : benchmark.getJsonArray("details")) {
                JsonObject detail = (JsonObject) d;
                details.add(detail.getString("measure") + ": " + detail.getString("value"));
            }
            if (!details.isEmpty()) {
                md.append(" ").append(String.join("; ", details)).append('.');
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String amount(Double value, String unit) {
        return value == null ? "–" : number(value) + (unit.isEmpty() ? "" : " " + unit);
    }

    /** Three significant digits, thousands separated: enough for noisy machines, never a false precision. */
    static String number(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (magnitude >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }

    private static String minutes(long seconds) {
        return "%d min %02d s".formatted(seconds / 60, seconds % 60);
    }

    private static JsonObject machine() {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return new JsonObject().put("cores", Runtime.getRuntime().availableProcessors())
                .put("memoryGiB", Math.round(memory / (1024.0 * 1024 * 1024))).put("cpu", cpu())
                .put("java", "Java " + Runtime.version()).put("os", System.getProperty("os.name") + " "
                        + System.getProperty("os.version")).put("commit", commit());
    }

    private static String cpu() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | UncheckedIOException e) {
            return "unknown CPU";
        }
    }

    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static List<Path> resultFiles() {
        if (!Files.isDirectory(BenchmarkResults.DIRECTORY)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(BenchmarkResults.DIRECTORY)) {
            return files.filter(file -> file.toString().endsWith(".json"))
                    .filter(file -> !file.getFileName().toString().equals(RESULTS + ".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
