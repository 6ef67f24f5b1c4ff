package dev.appliancesync.cloud.policy;

/** The statements a compiled document can hold, one per kind, in this order. */
enum StatementKind {
    CONNECT("Allow", "iot:Connect"),
    RECEIVE("Allow", "iot:Receive"),
    SUBSCRIBE("Allow", "iot:Subscribe"),
    PUBLISH("Allow", "iot:Publish"),
    /** Carves the over-matches of the household publish wildcards out of {@link #PUBLISH}. */
    PUBLISH_CARVE_OUT("Deny", "iot:Publish");

    final String effect;
    final String action;

    StatementKind(String effect, String action) {
        this.effect = effect;
        this.action = action;
    }
}
