package dev.appliancesync.identity;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How callers are signed in ({@link UserService}). */
@ConfigMapping(prefix = "appliance-sync.identity")
public interface IdentityConfig {

    /**
     * How long a finished sign-in still answers for the same token facts (subject, username, email, verification,
     * groups) on this instance, instead of another read of the user's row; 0 turns it off. Long enough for a user's
     * subscriptions admitted together, or an app's requests at start-up, to share one sign-in although a sign-in is
     * now one quick read. It is also the longest a waiting invitation can go unnoticed by a signed-in user: one that
     * raced with their first sign-in is accepted on their first request after it (docs/authorisation.md).
     */
    @WithDefault("PT2S")
    Duration reuseSignInFor();

    /**
     * Users whose sign-in is kept for {@link #reuseSignInFor} at most (one entry each, under 1 KiB); past it the
     * oldest go first, and their next request reads their row again.
     */
    @WithDefault("10000")
    int maxReusedSignIns();
}
