package dev.appliancesync.support;

/**
 * How many rounds a randomised or repeated test runs: a CI size in the normal run ({@code ./mvnw verify}), and the
 * full size with {@code -Dappliance-sync.test.full-size=true} or under {@code -Pbenchmarks} (which sets it). Both
 * sizes stand next to each other in the test, so what the normal run covers is plain to read; the assertions are the
 * same at either size. Run the full size before merging a change to what such a test covers, or to chase a seed.
 */
public final class TestSize {

    /** The system property that selects the full size. */
    public static final String FULL_SIZE = "appliance-sync.test.full-size";

    private TestSize() {
    }

    /** {@code ci} in the normal run, {@code full} when the full size is asked for. */
    public static int ciOrFull(int ci, int full) {
        return isFull() ? full : ci;
    }

    public static boolean isFull() {
        return Boolean.getBoolean(FULL_SIZE);
    }
}
