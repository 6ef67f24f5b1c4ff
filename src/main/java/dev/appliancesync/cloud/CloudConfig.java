package dev.appliancesync.cloud;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Cloud access sync: where IoT Core policies and Cognito user attributes live, and how hard we may call their APIs.
 * Region and user pool are optional here so that a deployment without cloud sync still starts; the AWS gateway names
 * whichever is missing when it is first needed.
 */
@ConfigMapping(prefix = "appliance-sync.cloud")
public interface CloudConfig {

    enum Mode {
        /** IoT Core and the Cognito user pool, through the AWS SDK. */
        AWS,
        /** Policies, attachments and user attributes kept in our own PostgreSQL (dev mode and tests). */
        LOCAL
    }

    @WithDefault("aws")
    Mode mode();

    /** The AWS region of IoT Core and the user pool, e.g. eu-west-1. */
    Optional<String> region();

    /** The AWS account that owns the IoT policies (policy documents name it in their ARNs). */
    Optional<String> accountId();

    /** The Cognito user pool whose users get the principal-tag attributes. */
    Optional<String> userPoolId();

    /** Every IoT policy we create starts with this; policies without it are never touched. */
    @WithDefault("appliance-sync-")
    String policyNamePrefix();

    /** Credential vending: the identity pool whose developer-authenticated identities the service obtains for users. */
    IdentityPool identityPool();

    /**
     * The IoT Core data endpoint apps connect to (e.g. abcdefgh12345-ats.iot.eu-west-1.amazonaws.com), handed out with
     * the credentials so that apps need not be configured with it; optional.
     */
    Optional<String> iotEndpoint();

    /** Other endpoints than AWS's own, for a local stand-in that speaks the same wire format. */
    EndpointOverride endpointOverride();

    Calls calls();

    Reconcile reconcile();

    /** Fixed credentials; without them the SDK's default chain (environment, profile, container or instance role). */
    Optional<StaticCredentials> staticCredentials();

    interface EndpointOverride {
        Optional<URI> iot();

        Optional<URI> cognito();

        /** Cognito identity pools (GetOpenIdTokenForDeveloperIdentity). */
        Optional<URI> cognitoIdentity();
    }

    interface IdentityPool {
        /**
         * The identity pool, {@code <region>:<uuid>}. Optional so that a deployment without vending still starts;
         * {@code openCloudSession} answers CLOUD_REFUSED while it is missing.
         */
        Optional<String> id();

        /** The pool's developer provider name: the "domain" under which the service's user ids are logins. */
        @WithDefault("appliance-sync")
        String developerProviderName();

        /**
         * How long a vended OpenID token lasts (AWS allows 1 second to 24 hours). The principal tags it carries are
         * those of the moment it was vended, so shorter is fresher; apps open a new session when it expires.
         */
        @WithDefault("15M")
        Duration tokenDuration();
    }

    interface Calls {
        /** Calls per second per API operation from this instance (IoT Core's control plane allows about 10). */
        @WithDefault("10")
        int maxPerSecond();

        /** Attempts per call when AWS throttles us or fails on its side (5xx) or the network fails. */
        @WithDefault("5")
        int maxAttempts();

        /** Backoff before the second attempt at most; it doubles per attempt, with full jitter. */
        @WithDefault("100MS")
        Duration baseBackoff();

        /** No backoff is longer than this. */
        @WithDefault("5S")
        Duration maxBackoff();

        /** One attempt (connect, send, read) at most; also the local gateway's bound on a database call. */
        @WithDefault("10S")
        Duration timeout();
    }

    interface Reconcile {
        /** Off: desired access is still compiled and kept (and QUOTA_EXCEEDED enforced), nothing is applied. */
        @WithDefault("true")
        boolean enabled();

        /** How often the outbox is looked at; policy changes take minutes to reach IoT Core's live connections anyway. */
        @WithDefault("1S")
        Duration interval();

        /** Users claimed at once by one instance. */
        @WithDefault("10")
        int batchSize();

        /** A claimed user comes due again after this if its instance died meanwhile. */
        @WithDefault("2M")
        Duration lease();

        /** A user AWS refused (FAILED) is tried again after this, and earlier when their grants change. */
        @WithDefault("15M")
        Duration failedRetry();

        /** Users in sync are compared with what AWS has this often, which repairs changes made behind our back. */
        @WithDefault("10M")
        Duration driftCheckInterval();

        /**
         * Readiness goes DOWN while some user's access has been due for longer than this (ReconcilerLagCheck): AWS
         * is refusing or throttling us, or no instance is reconciling.
         */
        @WithDefault("10M")
        Duration maxLag();
    }

    interface StaticCredentials {
        String accessKeyId();

        String secretAccessKey();
    }
}
