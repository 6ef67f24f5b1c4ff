package dev.appliancesync.cloud.policy;

/** How one element of a statement fares against a request. */
enum Match {
    YES,
    NO,
    /** A policy variable in it has no value in the request: the whole statement does not apply (AWS behaviour). */
    UNRESOLVED
}
