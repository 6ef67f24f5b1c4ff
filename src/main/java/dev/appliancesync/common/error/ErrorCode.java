package dev.appliancesync.common.error;

/**
 * The stable values of {@code extensions.code} on every GraphQL error. Clients branch on these, never on messages;
 * adding a value is compatible, renaming or removing one is a breaking change.
 */
public enum ErrorCode {
    /** No valid access token. */
    UNAUTHENTICATED,
    /** Authenticated, but this action on this resource is not allowed. */
    FORBIDDEN,
    /** No such resource, or one the caller may not know about (the two are deliberately indistinguishable). */
    NOT_FOUND,
    /** An argument is malformed or out of range. */
    VALIDATION,
    /** The resource changed since the caller read it (stale version), or already exists. */
    CONFLICT,
    /** A limit would be exceeded (ours or a cloud quota); the error names the limit. */
    QUOTA_EXCEEDED,
    /** Too many attempts; try again later. */
    RATE_LIMITED,
    /** Access to the appliance ended while a subscription was open. */
    ACCESS_REVOKED,
    /** A subscription fell too far behind and was ended; resubscribe and catch up with changes(since:). */
    SLOW_CONSUMER,
    /** The catch-up cursor is older than the retained change log: refetch. */
    CURSOR_EXPIRED,
    /** The document is not valid GraphQL syntax, or too large to parse. */
    GRAPHQL_PARSE_FAILED,
    /** The document does not validate against the schema. */
    GRAPHQL_VALIDATION_FAILED,
    /** The document is deeper or more complex than the configured limits. */
    QUERY_TOO_COMPLEX,
    /** The request cannot be served in this form (for example a subscription over plain HTTP). */
    BAD_REQUEST,
    /** AWS refused a call made for this request (for example a misconfigured identity pool); retrying won't help. */
    CLOUD_REFUSED,
    /** AWS kept throttling or failing (after the service's own retries with backoff): try again later. */
    CLOUD_UNAVAILABLE,
    /** A failure on our side; details are in the server log, never in the response. */
    INTERNAL
}
