package dev.appliancesync.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Limits small enough to reach in a test, on an instance of their own so that no other test meets them: the API's
 * cost budget and rate limit (RequestLimitsTest: a request near the budget fits once per burst, and the refill gives
 * it back within seconds) and the WebSocket admission limits (ConnectionAdmissionTest). The two sets do not touch:
 * opening and signing in a socket costs nothing of the rate limit, and RequestLimitsTest signs its sockets in at once.
 * One profile, so one Quarkus start for both.
 */
public class SmallLimits implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("appliance-sync.graphql.max-cost", "2500",
                "appliance-sync.graphql.rate-limit.burst", "3000",
                "appliance-sync.graphql.rate-limit.per-second", "200",
                "appliance-sync.realtime.connection-init-timeout", "2S",
                "appliance-sync.realtime.max-unauthenticated-connections", "3");
    }
}
