package dev.appliancesync.ingest;

/**
 * Why a device message cannot be applied: {@code reason} is what {@link DeadLetters} records (BAD_TOPIC,
 * INVALID_JSON, WRONG_SHAPE, ...), the message says it for people. Thrown without a stack trace: it is an answer.
 */
public final class RejectedMessage extends RuntimeException {

    private final String reason;

    public RejectedMessage(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
