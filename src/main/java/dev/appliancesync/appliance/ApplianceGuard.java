package dev.appliancesync.appliance;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The gate of every access to one appliance. A change loads and locks it, then lets {@link AccessGate} decide and
 * audit; a read ({@link #view}) loads it without a lock and writes nothing, so reads never queue behind or ahead of
 * the owner's changes.
 */
@ApplicationScoped
public class ApplianceGuard {

    private final ApplianceRepository appliances;
    private final AccessGate gate;

    public ApplianceGuard(ApplianceRepository appliances, AccessGate gate) {
        this.appliances = appliances;
        this.gate = gate;
    }

    public Uni<ApplianceAccess> require(SqlConnection tx, Authorizer.Session session, UUID applianceId,
            Capability action) {
        return require(tx, session, applianceId, action, Map.of());
    }

    /** Loads the appliance locked for this transaction and checks {@code action}; {@code facts} go to the policies. */
    public Uni<ApplianceAccess> require(SqlConnection tx, Authorizer.Session session, UUID applianceId,
            Capability action, Map<String, String> facts) {
        return appliances.find(tx, session.subject().userId(), applianceId, true).flatMap(found -> {
            if (found.isEmpty()) {
                return gate.missing(session, "appliance", applianceId, action.name());
            }
            ApplianceAccess access = found.get();
            return gate.require(tx, session, target(access), action.name(), facts).replaceWith(access);
        });
    }

    /** The appliance if the caller may do {@code action} on it; for reads: no row lock, no audit row. */
    public Uni<ApplianceAccess> view(SqlClient client, Authorizer.Session session, UUID applianceId, Capability action) {
        return appliances.find(client, session.subject().userId(), applianceId, false).map(found -> {
            ApplianceAccess access = found.orElseThrow(() -> gate.readMissing("appliance"));
            gate.check(session, target(access), action.name());
            return access;
        });
    }

    public static AccessGate.Target target(ApplianceAccess access) {
        ApplianceRecord appliance = access.appliance();
        return new AccessGate.Target(appliance.resource(), access.grants(), Capability.VIEW_STATUS.name(), "appliance",
                appliance.id(), appliance.id());
    }
}
