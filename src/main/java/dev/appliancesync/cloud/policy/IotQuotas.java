package dev.appliancesync.cloud.policy;

/** IoT Core's policy limits, in one place: the compiler packs against them, the gateways enforce them. */
public final class IotQuotas {

    /** A policy document may hold this many characters, white space not counted. */
    public static final int MAX_DOCUMENT_CHARACTERS = 2048;
    /** A Cognito identity (or certificate) may have this many policies attached. */
    public static final int MAX_POLICIES_PER_IDENTITY = 10;
    /** A policy keeps at most this many versions; a sixth needs the oldest non-default one deleted first. */
    public static final int MAX_VERSIONS_PER_POLICY = 5;

    private IotQuotas() {
    }

    /** The size IoT Core measures a policy document by: every character except white space. */
    public static int documentSize(String document) {
        return (int) document.codePoints().filter(c -> !Character.isWhitespace(c)).count();
    }
}
