package dev.appliancesync.ingest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The unit of a topic's epoch timestamps, and the check that a value is in it. IoT Core's shadow documents count
 * seconds, its lifecycle events milliseconds, and a device that sends the one where the other is expected gives a
 * date in 1970 or in the year 58901. Neither can be a device's real clock, so a time outside 2000-2100 is refused as
 * WRONG_UNIT (naming the unit the topic takes) instead of being stored and shown.
 */
enum EpochUnit {

    SECONDS("epoch seconds") {
        @Override
        Instant toInstant(long value) {
            return Instant.ofEpochSecond(value);
        }
    },
    MILLISECONDS("epoch milliseconds") {
        @Override
        Instant toInstant(long value) {
            return Instant.ofEpochMilli(value);
        }
    };

    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");
    /** Whole seconds or milliseconds either way beyond this are no clock at all (and would overflow a date). */
    private static final long LARGEST = 1L << 50;

    private final String description;

    EpochUnit(String description) {
        this.description = description;
    }

    abstract Instant toInstant(long value);

    /** The time {@code value} stands for in this unit; null if absent; WRONG_SHAPE or WRONG_UNIT if it cannot be one. */
    OffsetDateTime read(Object value, String field) {
        if (value == null) {
            return null;
        }
        boolean whole = value instanceof Integer || value instanceof Long
                || value instanceof Double d && Double.isFinite(d) && d == Math.rint(d);
        if (!whole) {
            throw new RejectedMessage("WRONG_SHAPE", field + " must be a whole number of " + description);
        }
        long number = ((Number) value).longValue();
        if (Math.abs(number) > LARGEST) {
            throw new RejectedMessage("WRONG_UNIT", field + " " + number + " is no time in " + description);
        }
        Instant at = toInstant(number);
        if (at.isBefore(EARLIEST) || !at.isBefore(LATEST)) {
            throw new RejectedMessage("WRONG_UNIT", field + " is in " + description + ": " + number + " would be "
                    + at + "; send the time in " + description);
        }
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /** A time given as text must be plausible too (a device clock that never got set says 1970). */
    static OffsetDateTime plausible(OffsetDateTime at, String field) {
        if (at.toInstant().isBefore(EARLIEST) || !at.toInstant().isBefore(LATEST)) {
            throw new RejectedMessage("OUT_OF_RANGE", field + " " + at + " is not between " + EARLIEST + " and "
                    + LATEST);
        }
        return at;
    }
}
