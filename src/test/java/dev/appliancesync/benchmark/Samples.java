package dev.appliancesync.benchmark;

import java.util.Arrays;

/** Measured durations (nanoseconds), sorted once, read as percentiles in milliseconds. */
public final class Samples {

    private final long[] sorted;

    private Samples(long[] sorted) {
        this.sorted = sorted;
    }

    public static Samples ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        long[] copy = nanos.clone();
        Arrays.sort(copy);
        return new Samples(copy);
    }

    public int count() {
        return sorted.length;
    }

    /** The nearest-rank percentile, {@code p} in (0, 100]. */
    public double ms(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)] / 1_000_000.0;
    }

    public double p50() {
        return ms(50);
    }

    public double p99() {
        return ms(99);
    }

    public double max() {
        return sorted[sorted.length - 1] / 1_000_000.0;
    }

    /** The header of {@link #row} tables. */
    public static final String HEADER = """
            | measurement | n | p50 | p95 | p99 | max |
            | --- | --- | --- | --- | --- | --- |""";

    /** One Markdown row under {@link #HEADER}: count, p50, p95, p99 and max in milliseconds. */
    public String row(String label) {
        return String.format("| %s | %,d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |", label, count(), ms(50), ms(95),
                ms(99), max());
    }
}
