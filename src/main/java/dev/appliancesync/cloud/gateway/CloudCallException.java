package dev.appliancesync.cloud.gateway;

/**
 * A cloud call that did not succeed. Either the cloud said no ({@link CloudRejectedException}: the same call will fail
 * the same way) or it could not answer ({@link CloudUnavailableException}: try again later).
 */
public abstract sealed class CloudCallException extends RuntimeException
        permits CloudRejectedException, CloudUnavailableException {

    private final CloudOperation operation;
    private final String errorCode;

    protected CloudCallException(CloudOperation operation, String errorCode, String message, Throwable cause) {
        super(operation.awsName() + " failed: " + errorCode + ": " + message, cause);
        this.operation = operation;
        this.errorCode = errorCode;
    }

    public CloudOperation operation() {
        return operation;
    }

    /** AWS's error code, e.g. LimitExceededException, or what stood in for one (SdkClientException). */
    public String errorCode() {
        return errorCode;
    }
}
