package dev.appliancesync.realtime;

import java.util.Map;

import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * A subscription field fed by the change log whose items are flat (scalars and JSON, nothing resolved per item), so
 * that the multiplexed path ({@code realtime.websocket.MultiplexedOperations}) can serve it: it opens the stream
 * here, the same one the field's resolver returns to SmallRye, and renders each item once per group of subscribers
 * who see the same of it.
 */
public interface LiveField {

    /** The field of the Subscription type, e.g. {@code applianceState}. */
    String name();

    /** The class of the items: a record whose components are the fields of the item's GraphQL type. */
    Class<? extends Record> itemType();

    /**
     * The stream the resolver returns, for {@code caller} with the field's arguments as the engine coerced them. Each
     * item is the same object for every subscriber who may see the same (see {@link ChangeVisibility#visible}).
     *
     * @throws dev.appliancesync.common.error.ApiException for arguments the resolver refuses at once (the caller then
     *         leaves the operation to SmallRye, which answers it as it always has)
     */
    Multi<?> open(Uni<Caller> caller, Map<String, Object> arguments);
}
