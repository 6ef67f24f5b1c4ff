package dev.appliancesync.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The parts an operator can switch off by configuration, switched off, on an instance of their own so that no other
 * test misses them: the cloud access reconciler, so that a due row stays due and its age alone decides readiness
 * (ReconcilerLagHealthTest, with a bound of five minutes), and GraphiQL (GraphiQLDisabledTest). Neither test touches
 * the other's part; one profile, so one Quarkus start for both.
 */
public class SwitchedOff implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("appliance-sync.cloud.reconcile.enabled", "false",
                "appliance-sync.cloud.reconcile.max-lag", "5M",
                "quarkus.smallrye-graphql.ui.enabled", "false");
    }
}
