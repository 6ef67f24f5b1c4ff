package dev.appliancesync.sharing.graphql;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.microprofile.graphql.Description;

import dev.appliancesync.change.ChangeType;

/**
 * The change kinds {@code shareChanges} delivers, as the API's enum names them: each is one {@link ChangeType}, so
 * this list picks kinds from the contract and cannot name one it lacks.
 */
@Description("What happened to a share, an invitation or an appliance's ownership")
public enum ShareChangeType {
    SHARE_GRANTED(ChangeType.SHARE_GRANTED),
    SHARE_UPDATED(ChangeType.SHARE_UPDATED),
    SHARE_REVOKED(ChangeType.SHARE_REVOKED),
    @Description("The share reached its expiry time")
    SHARE_EXPIRED(ChangeType.SHARE_EXPIRED),
    INVITATION_CREATED(ChangeType.INVITATION_CREATED),
    INVITATION_ACCEPTED(ChangeType.INVITATION_ACCEPTED),
    INVITATION_CANCELLED(ChangeType.INVITATION_CANCELLED),
    OWNERSHIP_TRANSFERRED(ChangeType.OWNERSHIP_TRANSFERRED),
    @Description("The appliance was removed from its owner's account")
    APPLIANCE_RELEASED(ChangeType.APPLIANCE_RELEASED),
    @Description("IoT Core and Cognito now reflect the share (cloudSync IN_SYNC), or AWS refused it (FAILED, with the reason)")
    SHARE_CLOUD_SYNC(ChangeType.SHARE_CLOUD_SYNC);

    private final ChangeType change;

    ShareChangeType(ChangeType change) {
        this.change = change;
    }

    /** The change kinds to subscribe to. */
    static Set<ChangeType> changeTypes() {
        return Arrays.stream(values()).map(type -> type.change).collect(Collectors.toUnmodifiableSet());
    }

    /** The API's name for {@code change}, one of {@link #changeTypes()}. */
    static ShareChangeType of(ChangeType change) {
        return Arrays.stream(values()).filter(type -> type.change == change).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(change + " is not a sharing change"));
    }
}
