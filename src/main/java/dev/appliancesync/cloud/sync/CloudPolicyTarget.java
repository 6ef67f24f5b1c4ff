package dev.appliancesync.cloud.sync;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.cloud.CloudConfig;
import dev.appliancesync.cloud.policy.PolicyTarget;
import io.quarkus.runtime.Startup;

/**
 * Where compiled policies point: the region and account in their ARNs and the prefix of their names. The local
 * gateway (dev mode, tests) has no AWS account, so it gets a recognisable stand-in; against AWS both must be set, and
 * a deployment without them does not start (rather than failing every access change later).
 */
@Startup
@ApplicationScoped
public class CloudPolicyTarget {

    /** Shaped like a region (policies are validated), and plainly not one. */
    static final String LOCAL_REGION = "xx-local-1";
    static final String LOCAL_ACCOUNT = "000000000000";

    private final PolicyTarget target;

    public CloudPolicyTarget(CloudConfig config) {
        boolean local = config.mode() == CloudConfig.Mode.LOCAL;
        this.target = new PolicyTarget(
                config.region().orElseGet(() -> local ? LOCAL_REGION : missing("appliance-sync.cloud.region")),
                config.accountId().orElseGet(() -> local ? LOCAL_ACCOUNT : missing("appliance-sync.cloud.account-id")),
                config.policyNamePrefix());
    }

    public PolicyTarget get() {
        return target;
    }

    private static String missing(String key) {
        throw new IllegalStateException(key + " must be set when appliance-sync.cloud.mode is aws: IoT policies "
                + "name the region and account in their resource ARNs");
    }
}
