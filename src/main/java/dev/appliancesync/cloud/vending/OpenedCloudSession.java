package dev.appliancesync.cloud.vending;

import java.time.Instant;
import java.util.Optional;

import dev.appliancesync.cloud.gateway.DeveloperLogin;
import dev.appliancesync.cloud.gateway.OpenIdToken;
import dev.appliancesync.cloud.sync.CloudAccessState;

/**
 * What a user's app needs to call GetCredentialsForIdentity for the identity the service vended them, and their cloud
 * access as recorded with it (PENDING while the reconciler is still attaching their policies to a new identity).
 */
public record OpenedCloudSession(OpenIdToken token, DeveloperLogin login, Instant expiresAt,
        Optional<String> iotEndpoint, CloudAccessState access) {
}
