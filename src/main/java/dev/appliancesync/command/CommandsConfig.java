package dev.appliancesync.command;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import dev.appliancesync.common.retry.Backoff;

/** How commands reach devices (the outbox and its relay) and how long a device has to answer one. */
@ConfigMapping(prefix = "appliance-sync.commands")
public interface CommandsConfig {

    /**
     * A command without a result this long after it was issued becomes TIMED_OUT; devices are told when, as
     * {@code expiresAt}.
     */
    @WithDefault("60S")
    Duration timeout();

    /** How often each instance looks for commands to publish again and for commands that timed out. */
    @WithDefault("1S")
    Duration relayInterval();

    /** One publish waits this long for the broker's PUBACK before it counts as failed (and is retried). */
    @WithDefault("5S")
    Duration publishTimeout();

    /** The wait before the first retry of a failed publish; it doubles with each failure (with jitter). */
    @WithDefault("500MS")
    Duration retryInitial();

    /** The longest wait between two publishes of one command. */
    @WithDefault("15S")
    Duration retryMax();

    /** Commands one instance claims at once to publish, or times out in one transaction. */
    @WithDefault("100")
    int batchSize();

    default Backoff retryBackoff() {
        return new Backoff(retryInitial(), retryMax(), new java.util.Random());
    }

    /**
     * How long whoever publishes a command holds it before another instance may take it over: longer than one
     * publish may take, so two publishers overlap only when one of them died (or stalled) mid-publish.
     */
    default Duration lease() {
        return publishTimeout().multipliedBy(2);
    }
}
