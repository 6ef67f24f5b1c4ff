package dev.appliancesync.ingest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Thing name → appliance id, remembered across batches, so that a batch of known devices skips the look-up: one of
 * the five round trips of a batch's transaction. A thing name is fixed when its appliance is registered (the database
 * refuses to change it) and the service never deletes an appliance, so an id a committed transaction read for a name
 * stays that name's. Only what committed is remembered (a registration in a batch that rolls back must not be), at
 * most {@code capacity} names, the least recently used going first. An operator deleting an appliance by hand would
 * leave its name remembered: the batch that meets it then fails on its own, and {@link #forgetAll()} is called before
 * the batch is applied again one message at a time.
 */
final class ThingIds {

    private final Map<String, UUID> remembered;

    ThingIds(int capacity) {
        this.remembered = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, UUID> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The remembered ids of these names (those it has). */
    synchronized Map<String, UUID> of(Set<String> thingNames) {
        Map<String, UUID> known = new HashMap<>();
        for (String thingName : thingNames) {
            UUID id = remembered.get(thingName);
            if (id != null) {
                known.put(thingName, id);
            }
        }
        return known;
    }

    /** Call once the transaction that read {@code ids} has committed. */
    synchronized void remember(Map<String, UUID> ids) {
        remembered.putAll(ids);
    }

    synchronized void forgetAll() {
        remembered.clear();
    }
}
