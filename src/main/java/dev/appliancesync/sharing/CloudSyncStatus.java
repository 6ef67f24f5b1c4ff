package dev.appliancesync.sharing;

import org.eclipse.microprofile.graphql.Description;

/**
 * Whether the cloud's own gates (IoT Core policies, Cognito principal tags) say what a share says yet. A share's
 * status, so it lives with shares; the cloud package, which mirrors shares into AWS, sets it.
 */
@Description("Whether IoT Core and Cognito already reflect a share (granted or ended)")
public enum CloudSyncStatus {
    @Description("Written to our outbox, not applied to AWS yet (policy changes also take minutes to reach live connections)")
    PENDING,
    @Description("IoT Core policies and principal tags match")
    IN_SYNC,
    @Description("AWS refused the change (e.g. a quota); see the reason. Retried when the grants change, else after a while (15 minutes by default)")
    FAILED
}
