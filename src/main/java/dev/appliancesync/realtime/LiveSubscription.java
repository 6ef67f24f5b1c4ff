package dev.appliancesync.realtime;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.smallrye.mutiny.subscription.MultiEmitter;

/** One open subscription on this instance: what it wants, and where its changes go. */
final class LiveSubscription {

    private final LiveFilter filter;
    private final MultiEmitter<? super ChangeRecord> emitter;

    LiveSubscription(LiveFilter filter, MultiEmitter<? super ChangeRecord> emitter) {
        this.filter = filter;
        this.emitter = emitter;
    }

    LiveFilter filter() {
        return filter;
    }

    /** A change the user may see (already decided and redacted); delivered if this subscription wants it. */
    void offer(ChangeRecord visible) {
        if (filter.wants(visible) && !emitter.isCancelled()) {
            emitter.emit(visible);
        }
    }

    /** The user can no longer see these appliances: a subscription on one of them ends with ACCESS_REVOKED. */
    void accessLost(Set<UUID> appliances) {
        UUID only = filter.applianceId();
        if (only != null && appliances.contains(only)) {
            emitter.fail(new ApiException(ErrorCode.ACCESS_REVOKED,
                    "Your access to this appliance has ended", Map.of("applianceId", only.toString())));
        }
    }
}
