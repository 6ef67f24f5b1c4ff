package dev.appliancesync.cloud.sync;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.appliancesync.cloud.policy.CloudAccessCheck;
import dev.appliancesync.cloud.policy.IamRoleGate;
import dev.appliancesync.cloud.policy.IotPolicyCompiler;
import dev.appliancesync.cloud.policy.IotPolicyEvaluator;

/** The pure policy classes as beans: one compiler, one evaluator with this deployment's role gate. */
@ApplicationScoped
public class CloudPolicyEngine {

    @Produces
    @Singleton
    IotPolicyCompiler compiler() {
        return new IotPolicyCompiler();
    }

    @Produces
    @Singleton
    CloudAccessCheck accessCheck(CloudPolicyTarget target) {
        return new CloudAccessCheck(new IotPolicyEvaluator(), IamRoleGate.forTarget(target.get()));
    }
}
