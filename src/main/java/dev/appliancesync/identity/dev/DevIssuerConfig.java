package dev.appliancesync.identity.dev;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Set by the embedded services when the local issuer runs; absent when a real Cognito pool is configured. */
@ConfigMapping(prefix = "appliance-sync.dev-issuer")
public interface DevIssuerConfig {

    /** The issuer URL tokens are minted for (the local issuer's). */
    Optional<String> issuer();

    /** The PEM file holding the local issuer's private key. */
    Optional<Path> keyFile();

    /** Lifetime of a token when the request does not say. */
    @WithDefault("PT1H")
    Duration defaultLifetime();

    /** Longest lifetime a request may ask for. */
    @WithDefault("P1D")
    Duration maxLifetime();
}
