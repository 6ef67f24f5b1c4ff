package dev.appliancesync.cloud.policy;

import java.util.Objects;

/** One IoT policy to attach to the user's Cognito identity. */
public record CompiledPolicy(String name, String document) {

    public CompiledPolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(document, "document");
    }
}
