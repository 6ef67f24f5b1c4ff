package dev.appliancesync.sharing;

import org.eclipse.microprofile.graphql.Description;

/** The change-log entry types that are about sharing; {@code shareChanges} delivers these. */
@Description("What happened to a share, an invitation or an appliance's ownership")
public enum ShareChangeType {
    SHARE_GRANTED,
    SHARE_UPDATED,
    SHARE_REVOKED,
    @Description("The share reached its expiry time")
    SHARE_EXPIRED,
    INVITATION_CREATED,
    INVITATION_ACCEPTED,
    INVITATION_CANCELLED,
    OWNERSHIP_TRANSFERRED,
    @Description("The appliance was removed from its owner's account")
    APPLIANCE_RELEASED,
    @Description("IoT Core and Cognito now reflect the share (cloudSync IN_SYNC), or AWS refused it (FAILED, with the reason)")
    SHARE_CLOUD_SYNC;

    public static java.util.Set<String> names() {
        return java.util.Arrays.stream(values()).map(Enum::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
