package dev.appliancesync.access;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "appliance-sync.access")
public interface AccessConfig {

    /**
     * A directory of operator policies ({@code *.cedar}), evaluated together with the defaults. Files are validated
     * against the schema; a directory that does not load keeps the last good policy set in force.
     */
    Optional<Path> policyDir();

    /** How often the policy directory is checked for changes. */
    @WithDefault("10s")
    Duration policyReloadInterval();
}
