package dev.appliancesync.cloud.gateway;

import java.time.Instant;

/** One version of an IoT policy, as ListPolicyVersions describes it. */
public record PolicyVersion(String versionId, boolean isDefault, Instant createdAt) {
}
