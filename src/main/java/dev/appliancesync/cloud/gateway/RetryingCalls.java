package dev.appliancesync.cloud.gateway;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.retry.Backoff;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs each AWS call within its operation's rate limit, retries it when AWS throttles us, fails on its side (5xx) or
 * cannot be reached, and turns what is left into a typed {@link CloudCallException}. The SDK's own retries are off
 * (see {@link AwsCloudGateway}), so every attempt goes through the rate limiter and is counted here.
 */
final class RetryingCalls {

    private static final Logger LOG = Logger.getLogger(RetryingCalls.class);

    private final Map<CloudOperation, RateLimiter> limiters = new EnumMap<>(CloudOperation.class);
    private final Map<CloudOperation, Counter> throttled = new EnumMap<>(CloudOperation.class);
    private final int maxAttempts;
    private final Backoff backoff;

    RetryingCalls(int maxPerSecond, int maxAttempts, Backoff backoff, ServiceMetrics metrics) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("At least one attempt per call, got " + maxAttempts);
        }
        for (CloudOperation operation : CloudOperation.values()) {
            limiters.put(operation, new RateLimiter(maxPerSecond));
            // Per operation: IoT Core's control-plane limits are per API, so one operation throttles on its own.
            throttled.put(operation, metrics.cloudAwsThrottled(operation.awsName()));
        }
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    <T> T call(CloudOperation operation, Supplier<T> request) {
        for (int attempt = 1;; attempt++) {
            try {
                limiters.get(operation).acquire();
                return request.get();
            } catch (AwsServiceException e) {
                String code = errorCode(e);
                if (e.isThrottlingException()) {
                    throttled.get(operation).increment();
                }
                if (!isTransient(e)) {
                    throw new CloudRejectedException(operation, code, awsMessage(e), e);
                }
                if (attempt == maxAttempts) {
                    throw new CloudUnavailableException(operation, code, awsMessage(e), attempt, e);
                }
                pause(operation, code, attempt, e);
            } catch (SdkException e) {
                // Not an answer from AWS: the network, a timeout, a response we could not read.
                String code = e.getClass().getSimpleName();
                if (attempt == maxAttempts) {
                    throw new CloudUnavailableException(operation, code, String.valueOf(e.getMessage()), attempt, e);
                }
                pause(operation, code, attempt, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloudUnavailableException(operation, "Interrupted", "interrupted while waiting to call",
                        attempt, e);
            }
        }
    }

    private void pause(CloudOperation operation, String code, int attempt, Exception cause) {
        Duration wait = backoff.delay(attempt);
        LOG.debugf("%s attempt %d of %d failed (%s); next in %d ms", operation.awsName(), attempt, maxAttempts, code,
                wait.toMillis());
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudUnavailableException(operation, code, "interrupted while backing off", attempt, cause);
        }
    }

    /** Throttling (IoT's ThrottlingException, Cognito's TooManyRequestsException, any 429) or AWS's own failure. */
    private static boolean isTransient(AwsServiceException e) {
        return e.isThrottlingException() || e.statusCode() >= 500;
    }

    private static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                ? e.awsErrorDetails().errorCode()
                : "HTTP " + e.statusCode();
    }

    private static String awsMessage(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage()
                : String.valueOf(e.getMessage());
    }
}
