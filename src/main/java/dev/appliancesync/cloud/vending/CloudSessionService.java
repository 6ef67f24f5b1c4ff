package dev.appliancesync.cloud.vending;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.cloud.CloudConfig;
import dev.appliancesync.cloud.gateway.CloudGateway;
import dev.appliancesync.cloud.gateway.CloudRejectedException;
import dev.appliancesync.cloud.gateway.CloudUnavailableException;
import dev.appliancesync.cloud.gateway.DeveloperLogin;
import dev.appliancesync.cloud.gateway.OpenIdToken;
import dev.appliancesync.cloud.sync.CloudAccessService;
import dev.appliancesync.cloud.sync.CloudAccessState;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Credential vending: the service obtains each user's Cognito identity itself, as a developer-authenticated identity
 * whose login is the user's id (GetOpenIdTokenForDeveloperIdentity), and hands the app that identity and an OpenID
 * token for it. A client never names an identity, so no one can take, or block, another user's (linking could be
 * squatted: whoever learnt an identity id linked it first).
 *
 * <p>The token carries the user's principal tags as compiled now: with a developer-authenticated identity the identity
 * pool maps no user pool attributes, so the role gate sees exactly these until the app opens a new session.
 */
@ApplicationScoped
public class CloudSessionService {

    private static final Logger LOG = Logger.getLogger(CloudSessionService.class);
    /** GetOpenIdTokenForDeveloperIdentity's TokenDuration: 1 second to 24 hours. */
    private static final Duration MAX_TOKEN_DURATION = Duration.ofHours(24);

    private final CloudGateway gateway;
    private final CloudAccessService access;
    private final CloudConfig config;

    public CloudSessionService(CloudGateway gateway, CloudAccessService access, CloudConfig config) {
        Duration duration = config.identityPool().tokenDuration();
        if (duration.toSeconds() < 1 || duration.compareTo(MAX_TOKEN_DURATION) > 0) {
            throw new IllegalStateException("appliance-sync.cloud.identity-pool.token-duration must be between 1S and "
                    + "24H (AWS's limits), was " + duration);
        }
        this.gateway = gateway;
        this.access = access;
        this.config = config;
    }

    /**
     * The caller's identity and a fresh token; the identity is recorded (a new one becomes PENDING until the reconciler
     * has attached the caller's policies to it). CLOUD_REFUSED when AWS refuses or vending is not configured,
     * CLOUD_UNAVAILABLE when AWS kept throttling or failing; nothing is recorded then.
     */
    public Uni<OpenedCloudSession> open(Caller caller) {
        String poolId = config.identityPool().id().filter(id -> !id.isBlank()).orElse(null);
        if (poolId == null) {
            return Uni.createFrom().failure(new ApiException(ErrorCode.CLOUD_REFUSED,
                    "Cloud sessions are not set up on this service (no identity pool configured)",
                    Map.of("reason", "IDENTITY_POOL_NOT_CONFIGURED")));
        }
        DeveloperLogin login = new DeveloperLogin(poolId, config.identityPool().developerProviderName(),
                caller.id().toString());
        Duration duration = config.identityPool().tokenDuration();
        return access.state(caller, null)
                .map(CloudAccessState::principalTags)
                // The gateway blocks (rate limit, retries with backoff): never on the event loop.
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tags -> {
                    Instant requested = Instant.now();
                    return new Vended(vend(login, tags, duration), requested.plus(duration));
                })
                .flatMap(vended -> access.useVendedIdentity(caller.id(), vended.token().identityId())
                        .map(state -> new OpenedCloudSession(vended.token(), login, vended.expiresAt(),
                                config.iotEndpoint().filter(e -> !e.isBlank()), state)));
    }

    /** Expiry counted from before the call, so it is never later than the token's own. */
    private record Vended(OpenIdToken token, Instant expiresAt) {
    }

    private OpenIdToken vend(DeveloperLogin login, Map<String, String> tags, Duration duration) {
        try {
            return gateway.openIdToken(login, tags, duration);
        } catch (CloudRejectedException e) {
            // AWS's message names the pool and the account: it goes to the log, the caller gets the code.
            LOG.warnf("Cloud session of user %s refused: %s", login.userId(), e.getMessage());
            throw new ApiException(ErrorCode.CLOUD_REFUSED,
                    "AWS refused to vend your cloud identity; the operators have the reason in the service log",
                    Map.of("awsCode", e.errorCode()));
        } catch (CloudUnavailableException e) {
            LOG.infof("Cloud session of user %s not vended: %s", login.userId(), e.getMessage());
            throw new ApiException(ErrorCode.CLOUD_UNAVAILABLE,
                    "AWS is not answering right now; try openCloudSession again later",
                    Map.of("awsCode", e.errorCode(), "attempts", e.attempts()));
        }
    }
}
