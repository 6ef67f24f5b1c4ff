package dev.appliancesync.common.error;

import java.util.UUID;

/** GraphQL ids are UUIDs; anything else names nothing, so it gets the same NOT_FOUND as an unknown id. */
public final class Ids {

    private Ids() {
    }

    public static UUID parse(String id, String what) {
        try {
            if (id != null && id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException ignored) {
            // falls through to NOT_FOUND
        }
        throw notFound(what);
    }

    /** The one NOT_FOUND for an id: the same whether it does not exist or the caller may not know it does. */
    public static ApiException notFound(String what) {
        return new ApiException(ErrorCode.NOT_FOUND, "No " + what + " with this id");
    }
}
