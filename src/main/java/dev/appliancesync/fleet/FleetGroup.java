package dev.appliancesync.fleet;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A saved fleet query with a name: its members are the appliances the query matches among {@code typeNames}, the
 * types its saver could search when saving it, and they follow the live state (FleetGroupMembership).
 */
public record FleetGroup(UUID id, String name, FleetQuery query, List<String> typeNames, UUID createdBy,
        OffsetDateTime savedAt) {

    /** The query as JSON, as it is stored. */
    public String queryJson() {
        return FleetGroupQueries.stored(query).encode();
    }
}
