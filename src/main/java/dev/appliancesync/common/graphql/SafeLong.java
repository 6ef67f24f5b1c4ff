package dev.appliancesync.common.graphql;

import java.math.BigInteger;

import org.eclipse.microprofile.graphql.Description;

import io.smallrye.graphql.api.CustomIntScalar;
import io.smallrye.graphql.api.CustomScalar;

/**
 * A whole number beyond GraphQL's 32-bit {@code Int}, for the values devices and IoT Core count with 64 bits (shadow
 * versions, epoch-millisecond versions). Sent as a JSON number and kept within ±(2^53 − 1), JavaScript's safe
 * integers, so every client reads it exactly; ingestion dead-letters a device value outside that range
 * (OUT_OF_RANGE) instead of storing what an app could not show.
 */
@CustomScalar("Long")
@Description("A whole number from -(2^53 - 1) to 2^53 - 1 (JavaScript's safe integers), sent as a JSON number: "
        + "device and shadow versions, which can exceed Int")
public class SafeLong implements CustomIntScalar {

    /** 2^53 − 1: the largest whole number a JavaScript number holds exactly. */
    public static final long MAX = (1L << 53) - 1;

    private final long value;

    /** A value from a request. */
    public SafeLong(BigInteger value) {
        if (value.bitLength() > 53) {
            throw new IllegalArgumentException("Long must be between -" + MAX + " and " + MAX);
        }
        this.value = value.longValue();
    }

    private SafeLong(long value) {
        this.value = value;
    }

    /** A value to send; {@code value} must be within the range (what ingestion lets in). */
    public static SafeLong of(long value) {
        if (value > MAX || value < -MAX) {
            throw new IllegalArgumentException(value + " is outside the Long scalar's range");
        }
        return new SafeLong(value);
    }

    public long value() {
        return value;
    }

    @Override
    public BigInteger intValueForSerialization() {
        return BigInteger.valueOf(value);
    }
}
