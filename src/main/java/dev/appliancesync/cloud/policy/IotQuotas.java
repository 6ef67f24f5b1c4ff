package dev.appliancesync.cloud.policy;

/** The IoT Core limits the compiler packs against, in one place. */
public final class IotQuotas {

    /** A policy document may hold this many characters, white space not counted. */
    public static final int MAX_DOCUMENT_CHARACTERS = 2048;
    /** A Cognito identity (or certificate) may have this many policies attached. */
    public static final int MAX_POLICIES_PER_IDENTITY = 10;

    private IotQuotas() {
    }

    /** The size IoT Core measures a policy document by: every character except white space. */
    public static int documentSize(String document) {
        return (int) document.codePoints().filter(c -> !Character.isWhitespace(c)).count();
    }
}
