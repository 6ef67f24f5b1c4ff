package dev.appliancesync.cloud.policy;

/**
 * The permissions policy of the identity pool's authenticated role (resource {@value #RESOURCE}), a
 * {@link PolicyTemplate}.
 *
 * <p>It is the coarse lock in front of the IoT policies: AWS lets a Cognito identity reach IoT Core only when this
 * role and the identity's IoT policies both allow. It gates on the principal tags of {@link CloudPrincipalTags}:
 * nothing without {@code iot_access} view (a missing tag denies: the Deny uses a negated operator, true for a missing
 * key); never any publish (apps never publish; the Deny keeps that true even if someone attaches a broader policy
 * to the role later); connect only as {@code <own identity id>-...}; subscribe and receive only the status views
 * ({@code view/things/*}{@code /status}, {@code view/households/*}{@code /status/*}), and the settings views only with
 * {@code iot_settings} true.
 */
public final class IdentityPoolRolePolicy {

    public static final String RESOURCE = "/cloud/identity-pool-role-policy.json";

    private IdentityPoolRolePolicy() {
    }

    public static String template() {
        return PolicyTemplate.resource(RESOURCE);
    }

    /** The role policy for this deployment's partition, region and account. */
    public static String render(PolicyTarget target) {
        return PolicyTemplate.render(template(), target, RESOURCE);
    }
}
