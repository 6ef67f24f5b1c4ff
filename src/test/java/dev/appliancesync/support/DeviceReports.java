package dev.appliancesync.support;

import java.time.Duration;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

import dev.appliancesync.state.DeviceStateService;

/** A device reporting its shadow, stored the way ingestion stores it, for tests that watch what follows. */
public final class DeviceReports {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private DeviceReports() {
    }

    /** {@code reported} and {@code desired} at {@code version}, with no shadow name or device time; true if newer. */
    public static boolean report(DeviceStateService states, String applianceId, long version, JsonObject reported,
            JsonObject desired) {
        return states.record(UUID.fromString(applianceId), "", reported, desired, version, null).await().atMost(WAIT);
    }

    /** An oven reporting {@code status} while set to {@code targetCelsius}: what most subscription tests watch. */
    public static boolean oven(DeviceStateService states, String applianceId, long version, String status,
            int targetCelsius) {
        return report(states, applianceId, version, new JsonObject().put("status", status),
                new JsonObject().put("targetCelsius", targetCelsius));
    }
}
