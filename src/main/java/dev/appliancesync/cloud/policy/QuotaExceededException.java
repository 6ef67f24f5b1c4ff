package dev.appliancesync.cloud.policy;

/** The grants cannot be expressed within IoT Core's limits; the compiler never widens access to make them fit. */
public class QuotaExceededException extends RuntimeException {

    public QuotaExceededException(String message) {
        super(message);
    }
}
