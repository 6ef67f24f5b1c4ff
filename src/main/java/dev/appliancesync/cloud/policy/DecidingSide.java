package dev.appliancesync.cloud.policy;

/** Which of the two AWS gates a Cognito user's IoT request passes through settled the answer. */
public enum DecidingSide {
    /** The identity pool's role policy denied (it is asked first: it signs the connection). */
    ROLE_GATE,
    /** The role allowed and the identity's IoT policies denied. */
    IOT_POLICIES,
    /** Both allowed. */
    BOTH
}
