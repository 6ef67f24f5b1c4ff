package dev.appliancesync.cloud.policy;

/** The statements a compiled document can hold, one per kind, in this order. Apps never publish: no Publish kind. */
enum StatementKind {
    CONNECT("Allow", "iot:Connect"),
    RECEIVE("Allow", "iot:Receive"),
    SUBSCRIBE("Allow", "iot:Subscribe");

    final String effect;
    final String action;

    StatementKind(String effect, String action) {
        this.effect = effect;
        this.action = action;
    }
}
