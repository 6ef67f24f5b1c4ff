package dev.appliancesync.realtime.websocket;

/**
 * WebSocket close codes of ours (documented in the README). None is fatal for the graphql-ws client: it reconnects,
 * and the app catches up with changes(since:).
 */
public final class CloseCodes {

    /** The client did not read fast enough; what it missed is in the change log. */
    public static final short SLOW_CONSUMER = 4008;
    /** The user already holds the most subscription connections allowed on this instance. */
    public static final short TOO_MANY_CONNECTIONS = 4029;
    /** Not acknowledged as a signed-in user in time; graphql-ws's own code for a connection_init that came too late. */
    public static final short INIT_TIMEOUT = 4408;
    /**
     * The instance holds the most connections not signed in yet (RFC 6455's "Try Again Later"; graphql-ws retries it).
     */
    public static final short TRY_AGAIN_LATER = 1013;

    private CloseCodes() {
    }
}
