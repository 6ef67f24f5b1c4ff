package dev.appliancesync.cloud.gateway;

/**
 * The cloud could not answer: throttled, failed on its side (5xx) or unreachable, on every attempt the gateway made.
 * The caller should try again later.
 */
public final class CloudUnavailableException extends CloudCallException {

    private final int attempts;

    public CloudUnavailableException(CloudOperation operation, String errorCode, String message, int attempts,
            Throwable cause) {
        super(operation, errorCode, message + " (" + attempts + (attempts == 1 ? " attempt)" : " attempts)"), cause);
        this.attempts = attempts;
    }

    /** How many times the gateway tried. */
    public int attempts() {
        return attempts;
    }
}
