package dev.appliancesync.common.db;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.vertx.pgclient.PgException;

/** Turns the database's last-line-of-defence constraint failures into the caller's error, not an INTERNAL one. */
final class PgErrors {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK = "40P01";

    private PgErrors() {
    }

    static Throwable translate(Throwable failure) {
        if (failure instanceof PgException pg) {
            String state = pg.getSqlState();
            if (UNIQUE_VIOLATION.equals(state)) {
                return new ApiException(ErrorCode.CONFLICT, "This already exists or was changed concurrently; reload and retry");
            }
            if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK.equals(state)) {
                return new ApiException(ErrorCode.CONFLICT, "A concurrent change got there first; retry");
            }
        }
        return failure;
    }
}
