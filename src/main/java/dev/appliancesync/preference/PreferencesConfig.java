package dev.appliancesync.preference;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "appliance-sync.preferences")
public interface PreferencesConfig {

    /** Largest settings document per user and appliance, in bytes of compact JSON (the database allows 64 KiB). */
    @WithDefault("16384")
    int maxBytes();
}
