package dev.appliancesync.cluster;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starting and stopping the processes the cluster tests run: what every part of them needs alike. */
final class Lifecycle {

    private Lifecycle() {
    }

    /** Waits at most {@code wait} for the process to end; true if it has. */
    static boolean exitsWithin(Process process, Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }

    /** Closes each part (nulls skipped), in order; one that fails to close does not keep the others running. */
    static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                System.err.println("Could not stop " + part + ": " + e);
            }
        }
    }
}
