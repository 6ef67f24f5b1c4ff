package dev.appliancesync.access;

import java.util.Optional;
import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * A kind of resource {@link Guard} protects (appliances, households): how to load one with a user's grants on it, and
 * what {@link AccessGate} checks of it. Implemented by the kind's repository.
 */
public interface GuardedResources<T> {

    /** The kind's name in errors and the audit log ("appliance", "household"). */
    String kind();

    /** The resource with the user's grants on it (possibly none); {@code lock} holds its row until the commit. */
    Uni<Optional<T>> find(SqlClient client, UUID userId, UUID id, boolean lock);

    AccessGate.Target target(T resource);
}
