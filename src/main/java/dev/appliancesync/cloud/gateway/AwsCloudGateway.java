package dev.appliancesync.cloud.gateway;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.retry.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.Random;

import dev.appliancesync.cloud.CloudConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentity.CognitoIdentityClient;
import software.amazon.awssdk.services.cognitoidentity.model.GetOpenIdTokenForDeveloperIdentityResponse;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AttributeType;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.ListAttachedPoliciesResponse;

/**
 * IoT Core, the Cognito user pool and the identity pool through the AWS SDK v2 (url-connection-client; the SDK's own retries off, ours in
 * {@link RetryingCalls}).
 *
 * <p>Not through the Quarkiverse extensions: quarkus-amazon-iot is not on Maven Central at all, and
 * quarkus-amazon-cognito-user-pools only as 3.6.1, built for Quarkus 3.22. The SDK clients are built here instead,
 * from {@link CloudConfig}.
 */
public final class AwsCloudGateway implements CloudGateway, AutoCloseable {

    /** ListAttachedPolicies' largest page (its pageSize is 1 to 250); a target holds at most 10 policies. */
    static final int PAGE_SIZE = 250;

    private final IotClient iot;
    private final CognitoIdentityProviderClient cognito;
    private final CognitoIdentityClient identities;
    private final String userPoolId;
    private final RetryingCalls calls;

    AwsCloudGateway(IotClient iot, CognitoIdentityProviderClient cognito, CognitoIdentityClient identities,
            String userPoolId, RetryingCalls calls) {
        this.iot = iot;
        this.cognito = cognito;
        this.identities = identities;
        this.userPoolId = userPoolId;
        this.calls = calls;
    }

    /** The gateway {@code config} describes; credentials from the config's static pair, else the default chain. */
    public static AwsCloudGateway create(CloudConfig config, ServiceMetrics metrics) {
        Region region = Region.of(required(config.region(), "region"));
        String userPoolId = required(config.userPoolId(), "user-pool-id");
        AwsCredentialsProvider credentials = config.staticCredentials()
                .<AwsCredentialsProvider> map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        CloudConfig.Calls limits = config.calls();
        IotClient iot = configure(IotClient.builder(), config, region, credentials, config.endpointOverride().iot())
                .build();
        CognitoIdentityProviderClient cognito = configure(CognitoIdentityProviderClient.builder(), config, region,
                credentials, config.endpointOverride().cognito()).build();
        // The identity pool's region is in its id (<region>:<uuid>) and may differ from IoT Core's.
        Region poolRegion = config.identityPool().id().filter(id -> id.contains(":"))
                .map(id -> Region.of(id.substring(0, id.indexOf(':')))).orElse(region);
        CognitoIdentityClient identities = configure(CognitoIdentityClient.builder(), config, poolRegion, credentials,
                config.endpointOverride().cognitoIdentity()).build();
        RetryingCalls calls = new RetryingCalls(limits.maxPerSecond(), limits.maxAttempts(),
                new Backoff(limits.baseBackoff(), limits.maxBackoff(), new Random()), metrics);
        return new AwsCloudGateway(iot, cognito, identities, userPoolId, calls);
    }

    private static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder,
            CloudConfig config, Region region, AwsCredentialsProvider credentials, Optional<URI> endpoint) {
        builder.region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.calls().timeout())
                        .socketTimeout(config.calls().timeout()))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(config.calls().timeout()));
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    private static String required(Optional<String> value, String key) {
        return value.filter(v -> !v.isBlank()).orElseThrow(() -> new IllegalStateException(
                "appliance-sync.cloud." + key + " must be set when appliance-sync.cloud.mode is aws (environment: "
                        + ("APPLIANCE_SYNC_CLOUD_" + key.replace('-', '_')).toUpperCase() + ")"));
    }

    @Override
    public Set<String> attachedPolicies(String target) {
        Set<String> names = new TreeSet<>();
        String marker = null;
        do {
            String page = marker;
            ListAttachedPoliciesResponse response = calls.call(CloudOperation.LIST_ATTACHED_POLICIES,
                    () -> iot.listAttachedPolicies(r -> r.target(target).recursive(false).pageSize(PAGE_SIZE)
                            .marker(page)));
            response.policies().forEach(p -> names.add(p.policyName()));
            marker = response.nextMarker();
        } while (marker != null && !marker.isEmpty());
        return names;
    }

    @Override
    public Optional<PolicyState> policy(String name) {
        try {
            return Optional.of(calls.call(CloudOperation.GET_POLICY, () -> iot.getPolicy(r -> r.policyName(name))))
                    .map(p -> new PolicyState(p.policyName(), p.defaultVersionId(), p.policyDocument()));
        } catch (CloudRejectedException e) {
            if (e.is(CloudRejectedException.RESOURCE_NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<PolicyVersion> policyVersions(String name) {
        return calls.call(CloudOperation.LIST_POLICY_VERSIONS, () -> iot.listPolicyVersions(r -> r.policyName(name)))
                .policyVersions().stream()
                .map(v -> new PolicyVersion(v.versionId(), Boolean.TRUE.equals(v.isDefaultVersion()), v.createDate()))
                .toList();
    }

    @Override
    public void createPolicy(String name, String document) {
        calls.call(CloudOperation.CREATE_POLICY, () -> iot.createPolicy(r -> r.policyName(name).policyDocument(document)));
    }

    @Override
    public String createDefaultVersion(String name, String document) {
        return calls.call(CloudOperation.CREATE_POLICY_VERSION, () -> iot.createPolicyVersion(
                r -> r.policyName(name).policyDocument(document).setAsDefault(true))).policyVersionId();
    }

    @Override
    public void deletePolicyVersion(String name, String versionId) {
        calls.call(CloudOperation.DELETE_POLICY_VERSION,
                () -> iot.deletePolicyVersion(r -> r.policyName(name).policyVersionId(versionId)));
    }

    @Override
    public void deletePolicy(String name) {
        calls.call(CloudOperation.DELETE_POLICY, () -> iot.deletePolicy(r -> r.policyName(name)));
    }

    @Override
    public void attachPolicy(String name, String target) {
        calls.call(CloudOperation.ATTACH_POLICY, () -> iot.attachPolicy(r -> r.policyName(name).target(target)));
    }

    @Override
    public void detachPolicy(String name, String target) {
        calls.call(CloudOperation.DETACH_POLICY, () -> iot.detachPolicy(r -> r.policyName(name).target(target)));
    }

    @Override
    public Map<String, String> userAttributes(String username) {
        Map<String, String> attributes = new LinkedHashMap<>();
        calls.call(CloudOperation.ADMIN_GET_USER,
                () -> cognito.adminGetUser(r -> r.userPoolId(userPoolId).username(username)))
                .userAttributes().forEach(a -> attributes.put(a.name(), a.value()));
        return attributes;
    }

    @Override
    public void updateUserAttributes(String username, Map<String, String> attributes) {
        List<AttributeType> changes = attributes.entrySet().stream()
                .map(e -> AttributeType.builder().name(e.getKey()).value(e.getValue()).build()).toList();
        calls.call(CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES, () -> cognito.adminUpdateUserAttributes(
                r -> r.userPoolId(userPoolId).username(username).userAttributes(changes)));
    }

    @Override
    public OpenIdToken openIdToken(DeveloperLogin login, Map<String, String> principalTags, Duration tokenDuration) {
        GetOpenIdTokenForDeveloperIdentityResponse response = calls.call(
                CloudOperation.GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY,
                () -> identities.getOpenIdTokenForDeveloperIdentity(r -> r.identityPoolId(login.identityPoolId())
                        .logins(Map.of(login.developerProviderName(), login.userId()))
                        .principalTags(principalTags.isEmpty() ? null : principalTags)
                        .tokenDuration(tokenDuration.toSeconds())));
        return new OpenIdToken(response.identityId(), response.token());
    }

    @Override
    public void close() {
        iot.close();
        cognito.close();
        identities.close();
    }
}
