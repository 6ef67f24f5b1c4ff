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

    /**
     * A change the user may see (already decided and redacted); delivered if this subscription wants it. True if it
     * was handed on (to the subscription's buffer, then the connection).
     */
    boolean offer(ChangeRecord visible) {
        if (filter.wants(visible) && !emitter.isCancelled()) {
            emitter.emit(visible);
            return true;
        }
        return false;
    }

    /**
     * The user can no longer see these appliances: a subscription on one of them ends with ACCESS_REVOKED. True if
     * this one ended.
     */
    boolean accessLost(Set<UUID> appliances) {
        UUID only = filter.applianceId();
        if (only != null && appliances.contains(only) && !emitter.isCancelled()) {
            emitter.fail(new ApiException(ErrorCode.ACCESS_REVOKED,
                    "Your access to this appliance has ended", Map.of("applianceId", only.toString())));
            return true;
        }
        return false;
    }
}
