package dev.appliancesync.realtime.websocket;

/**
 * WebSocket close codes of ours (documented in docs/real-time.md). Those of the limits are not fatal for the graphql-ws
 * client: it reconnects, and the app catches up with changes(since:). Those of a client breaking the protocol are
 * graphql-transport-ws's own, which the client treats as fatal: retrying the same message would not help.
 */
public final class CloseCodes {

    /** The client closed the connection the protocol's way (subscriptions-transport-ws's connection_terminate). */
    public static final short NORMAL = 1000;
    /** A message over the size limit (RFC 6455's "Message Too Big"), whole or in fragments. */
    public static final short MESSAGE_TOO_BIG = 1009;
    /** A message that is not one the protocol defines for clients, or not in its format (graphql-transport-ws). */
    public static final short BAD_REQUEST = 4400;
    /** A second connection_init on one connection (graphql-transport-ws). */
    public static final short TOO_MANY_INITIALISATION_REQUESTS = 4429;

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
