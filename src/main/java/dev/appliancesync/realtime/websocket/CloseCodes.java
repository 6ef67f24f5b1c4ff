package dev.appliancesync.realtime.websocket;

/**
 * WebSocket close codes of our own (documented in the README). Neither is fatal for the graphql-ws client: it
 * reconnects, and the app catches up with changes(since:).
 */
public final class CloseCodes {

    /** The client did not read fast enough; what it missed is in the change log. */
    public static final short SLOW_CONSUMER = 4008;
    /** The user already holds the most subscription connections allowed on this instance. */
    public static final short TOO_MANY_CONNECTIONS = 4029;

    private CloseCodes() {
    }
}
