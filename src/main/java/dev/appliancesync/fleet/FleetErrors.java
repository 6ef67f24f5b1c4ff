package dev.appliancesync.fleet;

import java.util.Map;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;

/** The typed errors of a fleet search: clients branch on code and reason, never on the message. */
final class FleetErrors {

    /** extensions.reason of every malformed fleet query (extensions.code VALIDATION). */
    static final String BAD_QUERY = "BAD_QUERY";

    private FleetErrors() {
    }

    static ApiException badQuery(String message) {
        return new ApiException(ErrorCode.VALIDATION, message, Map.of("reason", BAD_QUERY));
    }

    /** A query over one of the configured bounds: QUERY_TOO_COMPLEX naming the bound and its value. */
    static ApiException tooComplex(String limit, int max) {
        return new ApiException(ErrorCode.QUERY_TOO_COMPLEX, "The fleet query exceeds " + limit + " (" + max + ")",
                Map.of("limit", limit, "max", max));
    }
}
