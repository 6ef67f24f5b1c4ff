package dev.appliancesync.common.db;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Whether a failure means the database could not be reached (or would not serve), as opposed to a statement that
 * failed on its own: the first passes when PostgreSQL is back, so the work is kept and tried again; the second would
 * fail again, so the input that caused it is set aside (dead-lettered).
 */
public final class DatabaseOutage {

    /**
     * SQL states of a server that is away or going: class 08 (connection exception) is tested apart; 57P01
     * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting or shutting down), 53300
     * too_many_connections, 53400 configuration_limit_exceeded.
     */
    private static final Set<String> SERVER_AWAY = Set.of("57P01", "57P02", "57P03", "53300", "53400");

    private DatabaseOutage() {
    }

    /** True if {@code failure}, or one of its causes, says the database was unreachable or unavailable. */
    public static boolean isCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof PgException pg) {
                String state = pg.getSqlState();
                return state != null && (state.startsWith("08") || SERVER_AWAY.contains(state));
            }
            // Connection refused or reset, a connection closed under a query, no pooled connection in time.
            if (cause instanceof IOException || cause instanceof ClosedConnectionException
                    || cause instanceof ConnectionPoolTooBusyException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
