package dev.appliancesync.cloud.policy;

/** One resource ARN that must appear in a statement of this kind in one of the user's documents. */
record PolicyItem(StatementKind kind, String resource) {
}
