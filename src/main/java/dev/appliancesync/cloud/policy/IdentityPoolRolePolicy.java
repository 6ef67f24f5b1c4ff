package dev.appliancesync.cloud.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The permissions policy of the identity pool's authenticated role (resource {@value #RESOURCE}), with
 * {@code {{partition}}}, {@code {{region}}} and {@code {{accountId}}} to fill in for a deployment.
 *
 * <p>It is the coarse lock in front of the IoT policies: AWS lets a Cognito identity reach IoT Core only when this
 * role and the identity's IoT policies both allow. It gates on the principal tags of {@link CloudPrincipalTags}:
 * nothing without {@code iot_access} view or control (a missing tag denies: the Deny uses a negated operator, true for
 * a missing key); connect only as the caller's own identity id; subscribe and receive only under the two appliance
 * roots; publish only the two specified shapes, each only with its class's tag. The two Deny statements keep that true
 * even if someone attaches a broader policy to the role later.
 */
public final class IdentityPoolRolePolicy {

    public static final String RESOURCE = "/cloud/identity-pool-role-policy.json";

    private IdentityPoolRolePolicy() {
    }

    public static String template() {
        try (InputStream in = IdentityPoolRolePolicy.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The role policy for this deployment's partition, region and account. */
    public static String render(PolicyTarget target) {
        String document = template().replace("{{partition}}", target.partition()).replace("{{region}}", target.region())
                .replace("{{accountId}}", target.accountId());
        if (document.contains("{{")) {
            throw new IllegalStateException(RESOURCE + " has a placeholder nobody fills in");
        }
        return document;
    }
}
