package dev.appliancesync.cloud.gateway;

/** The cloud refused the call (a limit, a malformed policy, no such resource, ...): retrying it unchanged won't help. */
public final class CloudRejectedException extends CloudCallException {

    public static final String RESOURCE_NOT_FOUND = "ResourceNotFoundException";
    public static final String RESOURCE_ALREADY_EXISTS = "ResourceAlreadyExistsException";
    public static final String DELETE_CONFLICT = "DeleteConflictException";
    public static final String VERSIONS_LIMIT_EXCEEDED = "VersionsLimitExceededException";
    public static final String LIMIT_EXCEEDED = "LimitExceededException";
    public static final String MALFORMED_POLICY = "MalformedPolicyException";
    public static final String INVALID_REQUEST = "InvalidRequestException";
    public static final String USER_NOT_FOUND = "UserNotFoundException";

    private final String awsMessage;

    public CloudRejectedException(CloudOperation operation, String errorCode, String awsMessage, Throwable cause) {
        super(operation, errorCode, awsMessage, cause);
        this.awsMessage = awsMessage;
    }

    public CloudRejectedException(CloudOperation operation, String errorCode, String awsMessage) {
        this(operation, errorCode, awsMessage, null);
    }

    /** The message AWS gave with the error code. */
    public String awsMessage() {
        return awsMessage;
    }

    public boolean is(String code) {
        return code.equals(errorCode());
    }
}
