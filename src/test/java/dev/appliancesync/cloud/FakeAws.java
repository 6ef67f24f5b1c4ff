package dev.appliancesync.cloud;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.appliancesync.cloud.gateway.AwsCloudGateway;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.gateway.IotPolicyRules;
import dev.appliancesync.cloud.policy.IotQuotas;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stand-in for AWS IoT Core's control plane, a Cognito user pool and a Cognito identity pool on a loopback port,
 * speaking their wire formats so that the real SDK clients talk to it unchanged: IoT's REST-JSON (operations by method
 * and path, errors as status + {@code x-amzn-ErrorType} + {"message"}) and Cognito's JSON 1.1 (POST / with
 * {@code X-Amz-Target}, errors with {@code __type}). Paths, members, status codes and declared errors follow the SDK
 * client's own marshallers and exception table (2.42.33, and 2.59.1 for the identity pool); the semantics (version and
 * attachment limits, delete conflicts, document size; one identity per developer login, tokens bound to their
 * identity) follow the IoT and Cognito API references.
 *
 * <p>The identity pool serves the service's GetOpenIdTokenForDeveloperIdentity and the app's
 * GetCredentialsForIdentity, which refuses (NotAuthorizedException) a token made for another identity.
 *
 * <p>Only what appliance-sync calls. Test knobs: queued faults per operation, lost responses (applied, then a 500),
 * a "crash" after N calls, per-operation call counters with arrival times, and changes made behind our back.
 */
public final class FakeAws implements AutoCloseable {

    public static final String REGION = "eu-west-1";
    public static final String ACCOUNT = "123456789012";
    public static final String USER_POOL_ID = REGION + "_FakePool1";
    public static final String IDENTITY_POOL_ID = REGION + ":6b0f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
    public static final String DEVELOPER_PROVIDER = "login.appliance-sync.test";
    /** The Logins key under which an app presents a token of GetOpenIdTokenForDeveloperIdentity. */
    public static final String COGNITO_LOGIN = "cognito-identity.amazonaws.com";

    /** Failures to inject: those AWS sends when it cannot serve a call right now, and a refusal. */
    public enum Fault {
        THROTTLING(400, "ThrottlingException", "Rate exceeded"),
        SERVICE_UNAVAILABLE(503, "ServiceUnavailableException", "Service is unavailable"),
        INTERNAL_FAILURE(500, "InternalFailureException", "An unexpected error has occurred"),
        /** Cognito's throttling. */
        TOO_MANY_REQUESTS(400, "TooManyRequestsException", "Too many requests"),
        /** Cognito's own failure. */
        INTERNAL_ERROR(500, "InternalErrorException", "Internal error"),
        /** Not a passing failure: Cognito refuses, e.g. the pool does not take this developer provider. */
        NOT_AUTHORIZED(400, "NotAuthorizedException", "Not authorized to perform this operation on this pool");

        final int status;
        final String code;
        final String message;

        Fault(int status, String code, String message) {
            this.status = status;
            this.code = code;
            this.message = message;
        }
    }

    /** One request as it arrived: which operation, when (System.nanoTime), the raw path, the signing scope, the answer. */
    public record Call(CloudOperation operation, long arrivedNanos, String rawPath, String signingService, int status) {
    }

    private static final Pattern POLICY = Pattern.compile("/policies/([^/]+)");
    private static final Pattern VERSIONS = Pattern.compile("/policies/([^/]+)/version");
    private static final Pattern VERSION = Pattern.compile("/policies/([^/]+)/version/([^/]+)");
    private static final Pattern TARGET_POLICIES = Pattern.compile("/target-policies/([^/]+)");
    private static final Pattern ATTACHED_POLICIES = Pattern.compile("/attached-policies/([^/]+)");
    private static final Pattern SIGNING_SCOPE = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/([^/]+)/([^/]+)/aws4_request,.*");
    private static final String COGNITO_TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
    private static final String IDENTITY_TARGET_PREFIX = "AWSCognitoIdentityService.";
    private static final String GET_CREDENTIALS = IDENTITY_TARGET_PREFIX + "GetCredentialsForIdentity";

    private static final class Policy {
        final String name;
        final Map<Integer, Version> versions = new TreeMap<>();
        final Instant createdAt;
        int defaultVersion;
        int lastVersion;
        Instant lastModified;

        Policy(String name, Instant createdAt) {
            this.name = name;
            this.createdAt = createdAt;
        }
    }

    private record Version(int id, String document, Instant createdAt) {
    }

    /** An OpenID token as Cognito made it: for which identity, with which principal tags, until when. */
    private record IssuedToken(String identityId, Map<String, String> principalTags, Instant expiresAt) {
    }

    /** What GetCredentialsForIdentity handed an app. */
    public record Credentials(String identityId, String accessKeyId, Map<String, String> sessionTags) {
    }

    /** An error answer, as AWS would send it. */
    private static final class AwsError extends RuntimeException {
        final int status;
        final String code;

        AwsError(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Policy> policies = new TreeMap<>();
    /** target -> attached policy names, in attachment order. */
    private final Map<String, Set<String>> attachments = new HashMap<>();
    private final Map<String, Map<String, String>> users = new HashMap<>();
    /** "pool provider login" -> identity id: Cognito keeps one identity per developer login. */
    private final Map<String, String> identities = new HashMap<>();
    private final Map<String, IssuedToken> tokens = new HashMap<>();
    private final List<Credentials> credentialsIssued = new ArrayList<>();
    private final Map<CloudOperation, Deque<Fault>> queuedFaults = new EnumMap<>(CloudOperation.class);
    private final Map<CloudOperation, Integer> responsesToLose = new EnumMap<>(CloudOperation.class);
    private final Set<String> detachedRecently = new TreeSet<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<String> unknownRequests = new ArrayList<>();
    private Instant clock = Instant.parse("2026-01-01T00:00:00Z");
    private int callsBeforeCrash = -1;
    private Fault crashFault;
    private boolean holdDeletesAfterDetach;
    private int maxPageSize = 250;

    private FakeAws() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static FakeAws start() {
        try {
            return new FakeAws();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the fake AWS endpoint", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The settings a deployment would give to reach this fake (both endpoints here, fixed credentials). */
    public Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("appliance-sync.cloud.mode", "aws");
        settings.put("appliance-sync.cloud.region", REGION);
        settings.put("appliance-sync.cloud.account-id", ACCOUNT);
        settings.put("appliance-sync.cloud.user-pool-id", USER_POOL_ID);
        settings.put("appliance-sync.cloud.endpoint-override.iot", endpoint().toString());
        settings.put("appliance-sync.cloud.endpoint-override.cognito", endpoint().toString());
        settings.put("appliance-sync.cloud.endpoint-override.cognito-identity", endpoint().toString());
        settings.put("appliance-sync.cloud.identity-pool.id", IDENTITY_POOL_ID);
        settings.put("appliance-sync.cloud.identity-pool.developer-provider-name", DEVELOPER_PROVIDER);
        settings.put("appliance-sync.cloud.static-credentials.access-key-id", "AKIDFAKEAWS000000000");
        settings.put("appliance-sync.cloud.static-credentials.secret-access-key", "fake-secret");
        return settings;
    }

    /** A real {@link AwsCloudGateway} (SDK clients and all) configured as {@link #settings()} plus {@code overrides}. */
    public AwsCloudGateway gateway(Map<String, String> overrides) {
        return gateway(overrides, new SimpleMeterRegistry());
    }

    /** As above, counting into {@code metrics}. */
    public AwsCloudGateway gateway(Map<String, String> overrides, MeterRegistry metrics) {
        Map<String, String> properties = settings();
        properties.putAll(overrides);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(CloudConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "fake-aws", 500))
                .build();
        return AwsCloudGateway.create(config.getConfigMapping(CloudConfig.class), new ServiceMetrics(metrics));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- set-up and inspection -----------------------------------------------------------------------------------

    /** A user in the pool (AdminGetUser of anyone else is UserNotFoundException). */
    public synchronized void addUser(String username, Map<String, String> attributes) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("sub", UUID.nameUUIDFromBytes(username.getBytes(StandardCharsets.UTF_8)).toString());
        all.putAll(attributes);
        users.put(username, all);
    }

    public synchronized boolean hasUser(String username) {
        return users.containsKey(username);
    }

    public synchronized Map<String, String> attributes(String username) {
        return Map.copyOf(users.get(username));
    }

    public synchronized Set<String> attached(String target) {
        return Set.copyOf(attachments.getOrDefault(target, Set.of()));
    }

    public synchronized boolean exists(String policy) {
        return policies.containsKey(policy);
    }

    public synchronized Optional<String> defaultDocument(String policy) {
        return Optional.ofNullable(policies.get(policy)).map(p -> p.versions.get(p.defaultVersion).document());
    }

    public synchronized List<String> versionIds(String policy) {
        return policies.get(policy).versions.keySet().stream().map(String::valueOf).toList();
    }

    /** The identity Cognito keeps for {@code login} under the fake pool's developer provider, if any. */
    public synchronized Optional<String> identityOf(String login) {
        return Optional.ofNullable(identities.get(IDENTITY_POOL_ID + " " + DEVELOPER_PROVIDER + " " + login));
    }

    /** Every identity of the pool. */
    public synchronized Set<String> identities() {
        return Set.copyOf(identities.values());
    }

    /** The principal tags a token carries into its credentials' session (empty for an unknown token). */
    public synchronized Map<String, String> principalTags(String token) {
        IssuedToken issued = tokens.get(token);
        return issued == null ? Map.of() : issued.principalTags();
    }

    /** Every successful GetCredentialsForIdentity, in order. */
    public synchronized List<Credentials> credentialsIssued() {
        return List.copyOf(credentialsIssued);
    }

    /** Every policy name, ours or not. */
    public synchronized Set<String> policyNames() {
        return Set.copyOf(policies.keySet());
    }

    /** A smaller ListAttachedPolicies page than the client asks for, so that paging shows with 10 attachments. */
    public synchronized void maxPageSize(int size) {
        maxPageSize = size;
    }

    // ---- faults ----------------------------------------------------------------------------------------------------

    /** The next {@code times} calls of {@code operation} fail with {@code fault} (and change nothing). */
    public synchronized void failNext(CloudOperation operation, int times, Fault fault) {
        Deque<Fault> queue = queuedFaults.computeIfAbsent(operation, o -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            queue.add(fault);
        }
    }

    /** The next {@code times} calls of {@code operation} take effect, but their answer is a 500: a lost response. */
    public synchronized void loseNextResponses(CloudOperation operation, int times) {
        responsesToLose.merge(operation, times, Integer::sum);
    }

    /** After {@code calls} more calls, every call fails with {@code fault}: the caller "crashes" mid-way. */
    public synchronized void failEverythingAfter(int calls, Fault fault) {
        callsBeforeCrash = calls;
        crashFault = fault;
    }

    /** No more crash, queued faults or lost responses. */
    public synchronized void heal() {
        callsBeforeCrash = -1;
        queuedFaults.clear();
        responsesToLose.clear();
    }

    /**
     * Like IoT Core, refuse DeletePolicy with DeleteConflictException for a while after the policy was detached ("it
     * can take up to five minutes after a policy is detached before it's ready to be deleted"), until
     * {@link #letHeldDeletesThrough()}.
     */
    public synchronized void holdDeletesAfterDetach() {
        holdDeletesAfterDetach = true;
    }

    /** The five minutes have passed. */
    public synchronized void letHeldDeletesThrough() {
        detachedRecently.clear();
    }

    /** Deletes go through right after a detach again, for the next test on a fake that several tests share. */
    public synchronized void deleteRightAfterDetach() {
        holdDeletesAfterDetach = false;
        detachedRecently.clear();
    }

    // ---- counters --------------------------------------------------------------------------------------------------

    /** Requests that arrived for {@code operation}, failed ones included. */
    public synchronized int calls(CloudOperation operation) {
        return (int) calls.stream().filter(c -> c.operation() == operation).count();
    }

    public synchronized Map<CloudOperation, Integer> callCounts() {
        Map<CloudOperation, Integer> counts = new EnumMap<>(CloudOperation.class);
        calls.forEach(c -> counts.merge(c.operation(), 1, Integer::sum));
        return counts;
    }

    public synchronized List<Call> callLog() {
        return List.copyOf(calls);
    }

    public synchronized void resetCalls() {
        calls.clear();
    }

    /** Requests that matched no operation we implement (a test should see none). */
    public synchronized List<String> unknownRequests() {
        return List.copyOf(unknownRequests);
    }

    // ---- drift: changes made by someone else ----------------------------------------------------------------------

    public synchronized void detachBehindOurBack(String policy, String target) {
        attachments.getOrDefault(target, new LinkedHashSet<>()).remove(policy);
    }

    public synchronized void attachBehindOurBack(String policy, String target) {
        attachments.computeIfAbsent(target, t -> new LinkedHashSet<>()).add(policy);
    }

    public synchronized void createPolicyBehindOurBack(String name, String document) {
        createPolicy(name, document);
    }

    /** A new version with {@code document}, as if someone edited the policy in the console. */
    public synchronized void newVersionBehindOurBack(String policy, String document, boolean asDefault) {
        createVersion(policies.get(policy), document, asDefault);
    }

    public synchronized void setAttributeBehindOurBack(String username, String name, String value) {
        users.get(username).put(name, value);
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String rawPath = exchange.getRequestURI().getRawPath();
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (GET_CREDENTIALS.equals(amzTarget)) {
                // The app's call, not the service's: unsigned (the token is the proof), so no operation of ours.
                answerCredentials(exchange, body);
                return;
            }
            Optional<CloudOperation> operation = amzTarget != null ? cognitoOperation(amzTarget)
                    : iotOperation(exchange.getRequestMethod(), rawPath);
            if (operation.isEmpty()) {
                synchronized (this) {
                    unknownRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + amzTarget);
                }
                respondError(exchange, amzTarget != null, new AwsError(404, "UnknownOperationException",
                        "No such operation in the fake"));
                return;
            }
            boolean cognito = amzTarget != null;
            long arrived = System.nanoTime();
            Matcher scope = SIGNING_SCOPE.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String signingService = scope.matches() ? scope.group(2) : null;
            int status;
            String response = null;
            try {
                if (signingService == null || !signingService.equals(operation.get().service().iamPrefix())
                        || !REGION.equals(scope.group(1))) {
                    throw new AwsError(403, "InvalidSignatureException", "Not signed for this service and region");
                }
                response = answer(operation.get(), rawPath, query(exchange.getRequestURI().getRawQuery()), body);
                status = 200;
            } catch (AwsError e) {
                status = e.status;
                synchronized (this) {
                    calls.add(new Call(operation.get(), arrived, rawPath, signingService, status));
                }
                respondError(exchange, cognito, e);
                return;
            }
            synchronized (this) {
                calls.add(new Call(operation.get(), arrived, rawPath, signingService, status));
            }
            byte[] bytes = response == null ? new byte[0] : response.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type",
                    cognito ? "application/x-amz-json-1.1" : "application/json");
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private void answerCredentials(HttpExchange exchange, String body) throws IOException {
        String response;
        try {
            response = credentials(body.isEmpty() ? new JsonObject() : new JsonObject(body));
        } catch (AwsError e) {
            respondError(exchange, true, e);
            return;
        }
        byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * GetCredentialsForIdentity as Cognito answers an authenticated identity: the token in Logins must be one it made
     * for exactly this identity and still valid, else NotAuthorizedException.
     */
    private synchronized String credentials(JsonObject body) {
        String identityId = body.getString("IdentityId");
        if (identityId == null || !identities.containsValue(identityId)) {
            throw new AwsError(400, "ResourceNotFoundException", "Identity '" + identityId + "' not found.");
        }
        JsonObject logins = body.getJsonObject("Logins", new JsonObject());
        String token = logins.getString(COGNITO_LOGIN);
        if (token == null) {
            throw new AwsError(400, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.");
        }
        IssuedToken issued = tokens.get(token);
        if (issued == null || !issued.identityId().equals(identityId)) {
            throw new AwsError(400, "NotAuthorizedException", "Invalid login token. Token does not match the identity.");
        }
        if (!issued.expiresAt().isAfter(Instant.now())) {
            throw new AwsError(400, "NotAuthorizedException", "Invalid login token. Token expired.");
        }
        String accessKeyId = "ASIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
        credentialsIssued.add(new Credentials(identityId, accessKeyId, issued.principalTags()));
        return new JsonObject().put("IdentityId", identityId).put("Credentials", new JsonObject()
                .put("AccessKeyId", accessKeyId).put("SecretKey", UUID.randomUUID().toString())
                .put("SessionToken", UUID.randomUUID().toString())
                .put("Expiration", epochSeconds(Instant.now().plus(Duration.ofHours(1))))).encode();
    }

    /**
     * GetOpenIdTokenForDeveloperIdentity: the pool must exist and take this developer provider; one identity per login
     * (created the first time); a token bound to that identity for TokenDuration (1 s to 24 h, 15 min by default).
     */
    private String openIdToken(JsonObject body) {
        String pool = body.getString("IdentityPoolId");
        if (!IDENTITY_POOL_ID.equals(pool)) {
            throw new AwsError(400, "ResourceNotFoundException", "IdentityPool '" + pool + "' not found.");
        }
        if (body.getString("IdentityId") != null) {
            throw new AwsError(400, "InvalidParameterException", "The fake does not merge identities");
        }
        JsonObject logins = body.getJsonObject("Logins", new JsonObject());
        if (logins.size() != 1 || !logins.containsKey(DEVELOPER_PROVIDER)) {
            throw new AwsError(400, "NotAuthorizedException",
                    "Logins must name this pool's developer provider, and only it");
        }
        long duration = body.getLong("TokenDuration", 900L);
        if (duration < 1 || duration > 86_400) {
            throw new AwsError(400, "InvalidParameterException",
                    "1 validation error detected: Value at 'tokenDuration' failed to satisfy constraint");
        }
        String login = logins.getString(DEVELOPER_PROVIDER);
        String identityId = identities.computeIfAbsent(pool + " " + DEVELOPER_PROVIDER + " " + login,
                k -> REGION + ":" + UUID.randomUUID());
        Map<String, String> tags = new TreeMap<>();
        body.getJsonObject("PrincipalTags", new JsonObject()).forEach(e -> tags.put(e.getKey(), (String) e.getValue()));
        Instant expiresAt = Instant.now().plusSeconds(duration);
        String token = jwt(identityId, tags, expiresAt);
        tokens.put(token, new IssuedToken(identityId, Map.copyOf(tags), expiresAt));
        return new JsonObject().put("IdentityId", identityId).put("Token", token).encode();
    }

    /** Shaped as Cognito's OpenID token (a JWT); the signature is random, the fake knows its own tokens. */
    private static String jwt(String identityId, Map<String, String> tags, Instant expiresAt) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        JsonObject header = new JsonObject().put("kid", REGION + "-1").put("typ", "JWS").put("alg", "RS512");
        JsonObject claims = new JsonObject().put("sub", identityId).put("aud", IDENTITY_POOL_ID)
                .put("amr", new JsonArray().add("authenticated").add(DEVELOPER_PROVIDER))
                .put("iss", "https://cognito-identity.amazonaws.com").put("exp", expiresAt.getEpochSecond())
                .put("https://aws.amazon.com/tags", new JsonObject().put("principal_tags",
                        new JsonObject(new LinkedHashMap<>(tags))));
        return base64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void respondError(HttpExchange exchange, boolean cognito, AwsError error) throws IOException {
        JsonObject body = new JsonObject().put("message", error.getMessage());
        if (cognito) {
            body.put("__type", error.code);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        } else {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.getResponseHeaders().set("x-amzn-ErrorType", error.code + ":");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(error.status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Optional<CloudOperation> iotOperation(String method, String path) {
        if (VERSION.matcher(path).matches()) {
            return method.equals("DELETE") ? Optional.of(CloudOperation.DELETE_POLICY_VERSION) : Optional.empty();
        }
        if (VERSIONS.matcher(path).matches()) {
            return switch (method) {
                case "GET" -> Optional.of(CloudOperation.LIST_POLICY_VERSIONS);
                case "POST" -> Optional.of(CloudOperation.CREATE_POLICY_VERSION);
                default -> Optional.empty();
            };
        }
        if (POLICY.matcher(path).matches()) {
            return switch (method) {
                case "GET" -> Optional.of(CloudOperation.GET_POLICY);
                case "POST" -> Optional.of(CloudOperation.CREATE_POLICY);
                case "DELETE" -> Optional.of(CloudOperation.DELETE_POLICY);
                default -> Optional.empty();
            };
        }
        if (TARGET_POLICIES.matcher(path).matches()) {
            return switch (method) {
                case "PUT" -> Optional.of(CloudOperation.ATTACH_POLICY);
                case "POST" -> Optional.of(CloudOperation.DETACH_POLICY);
                default -> Optional.empty();
            };
        }
        if (ATTACHED_POLICIES.matcher(path).matches() && method.equals("POST")) {
            return Optional.of(CloudOperation.LIST_ATTACHED_POLICIES);
        }
        return Optional.empty();
    }

    private static Optional<CloudOperation> cognitoOperation(String amzTarget) {
        return switch (amzTarget) {
            case COGNITO_TARGET_PREFIX + "AdminGetUser" -> Optional.of(CloudOperation.ADMIN_GET_USER);
            case COGNITO_TARGET_PREFIX + "AdminUpdateUserAttributes" ->
                Optional.of(CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES);
            case IDENTITY_TARGET_PREFIX + "GetOpenIdTokenForDeveloperIdentity" ->
                Optional.of(CloudOperation.GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY);
            default -> Optional.empty();
        };
    }

    /** Applies one call and returns its JSON answer (null for an empty body), or throws the error AWS would send. */
    private synchronized String answer(CloudOperation operation, String rawPath, Map<String, String> query, String body) {
        if (callsBeforeCrash == 0) {
            throw error(crashFault);
        }
        if (callsBeforeCrash > 0) {
            callsBeforeCrash--;
        }
        Deque<Fault> faults = queuedFaults.get(operation);
        if (faults != null && !faults.isEmpty()) {
            throw error(faults.poll());
        }
        String answer = apply(operation, rawPath, query, body.isEmpty() ? new JsonObject() : new JsonObject(body));
        Integer lose = responsesToLose.get(operation);
        if (lose != null && lose > 0) {
            responsesToLose.put(operation, lose - 1);
            throw error(Fault.INTERNAL_FAILURE);
        }
        return answer;
    }

    private static AwsError error(Fault fault) {
        return new AwsError(fault.status, fault.code, fault.message);
    }

    private String apply(CloudOperation operation, String rawPath, Map<String, String> query, JsonObject body) {
        return switch (operation) {
            case CREATE_POLICY -> {
                Policy policy = createPolicy(segment(POLICY, rawPath, 1), body.getString("policyDocument"));
                Version version = policy.versions.get(1);
                yield new JsonObject().put("policyName", policy.name).put("policyArn", arn(policy.name))
                        .put("policyDocument", version.document()).put("policyVersionId", "1").encode();
            }
            case GET_POLICY -> {
                Policy policy = existing(segment(POLICY, rawPath, 1));
                yield new JsonObject().put("policyName", policy.name).put("policyArn", arn(policy.name))
                        .put("policyDocument", policy.versions.get(policy.defaultVersion).document())
                        .put("defaultVersionId", String.valueOf(policy.defaultVersion))
                        .put("creationDate", epochSeconds(policy.createdAt))
                        .put("lastModifiedDate", epochSeconds(policy.lastModified))
                        .put("generationId", policy.name + "-" + policy.lastVersion).encode();
            }
            case CREATE_POLICY_VERSION -> {
                Policy policy = existing(segment(VERSIONS, rawPath, 1));
                Version version = createVersion(policy, body.getString("policyDocument"),
                        Boolean.parseBoolean(query.get("setAsDefault")));
                yield new JsonObject().put("policyArn", arn(policy.name)).put("policyDocument", version.document())
                        .put("policyVersionId", String.valueOf(version.id()))
                        .put("isDefaultVersion", policy.defaultVersion == version.id()).encode();
            }
            case LIST_POLICY_VERSIONS -> {
                Policy policy = existing(segment(VERSIONS, rawPath, 1));
                JsonArray versions = new JsonArray();
                policy.versions.values().forEach(v -> versions.add(new JsonObject()
                        .put("versionId", String.valueOf(v.id())).put("isDefaultVersion", v.id() == policy.defaultVersion)
                        .put("createDate", epochSeconds(v.createdAt()))));
                yield new JsonObject().put("policyVersions", versions).encode();
            }
            case DELETE_POLICY_VERSION -> {
                Policy policy = existing(segment(VERSION, rawPath, 1));
                String versionId = segment(VERSION, rawPath, 2);
                if (!versionId.matches("[0-9]+") || !policy.versions.containsKey(Integer.parseInt(versionId))) {
                    throw new AwsError(404, "ResourceNotFoundException", "Policy version " + versionId + " not found");
                }
                if (Integer.parseInt(versionId) == policy.defaultVersion) {
                    throw new AwsError(409, "DeleteConflictException",
                            "Cannot delete the default version of a policy; use DeletePolicy");
                }
                policy.versions.remove(Integer.parseInt(versionId));
                yield null;
            }
            case DELETE_POLICY -> {
                Policy policy = existing(segment(POLICY, rawPath, 1));
                if (attachments.values().stream().anyMatch(a -> a.contains(policy.name))) {
                    throw new AwsError(409, "DeleteConflictException", "Policy " + policy.name + " is attached");
                }
                if (policy.versions.size() > 1) {
                    throw new AwsError(409, "DeleteConflictException",
                            "Policy " + policy.name + " has non-default versions; delete them first");
                }
                if (holdDeletesAfterDetach && detachedRecently.contains(policy.name)) {
                    throw new AwsError(409, "DeleteConflictException",
                            "Policy " + policy.name + " was detached recently; it can be deleted in a few minutes");
                }
                policies.remove(policy.name);
                yield null;
            }
            case ATTACH_POLICY -> {
                Policy policy = existing(segment(TARGET_POLICIES, rawPath, 1));
                String target = body.getString("target");
                Set<String> attached = attachments.computeIfAbsent(target, t -> new LinkedHashSet<>());
                if (!attached.contains(policy.name) && attached.size() >= IotQuotas.MAX_POLICIES_PER_IDENTITY) {
                    throw new AwsError(410, "LimitExceededException", "The target " + target + " already has "
                            + attached.size() + " policies attached; the limit is "
                            + IotQuotas.MAX_POLICIES_PER_IDENTITY);
                }
                attached.add(policy.name);
                yield null;
            }
            case DETACH_POLICY -> {
                String name = segment(TARGET_POLICIES, rawPath, 1);
                if (attachments.getOrDefault(body.getString("target"), new LinkedHashSet<>()).remove(name)) {
                    detachedRecently.add(name);
                }
                yield null;
            }
            case LIST_ATTACHED_POLICIES -> {
                List<String> attached = List.copyOf(attachments.getOrDefault(segment(ATTACHED_POLICIES, rawPath, 1),
                        Set.of()));
                int pageSize = Math.min(maxPageSize, Integer.parseInt(query.getOrDefault("pageSize", "25")));
                int from = query.containsKey("marker") ? Integer.parseInt(new String(
                        Base64.getDecoder().decode(query.get("marker")), StandardCharsets.UTF_8)) : 0;
                int to = Math.min(attached.size(), from + pageSize);
                JsonArray page = new JsonArray();
                attached.subList(from, to).forEach(n -> page.add(new JsonObject().put("policyName", n)
                        .put("policyArn", arn(n))));
                JsonObject answer = new JsonObject().put("policies", page);
                if (to < attached.size()) {
                    answer.put("nextMarker", Base64.getEncoder().encodeToString(
                            String.valueOf(to).getBytes(StandardCharsets.UTF_8)));
                }
                yield answer.encode();
            }
            case ADMIN_GET_USER -> {
                Map<String, String> attributes = user(body);
                JsonArray list = new JsonArray();
                attributes.forEach((k, v) -> list.add(new JsonObject().put("Name", k).put("Value", v)));
                yield new JsonObject().put("Username", body.getString("Username")).put("UserAttributes", list)
                        .put("Enabled", true).put("UserStatus", "CONFIRMED")
                        .put("UserCreateDate", epochSeconds(clock)).put("UserLastModifiedDate", epochSeconds(clock))
                        .encode();
            }
            case GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY -> openIdToken(body);
            case ADMIN_UPDATE_USER_ATTRIBUTES -> {
                Map<String, String> attributes = user(body);
                for (Object item : body.getJsonArray("UserAttributes", new JsonArray())) {
                    JsonObject attribute = (JsonObject) item;
                    String value = attribute.getString("Value", "");
                    if (value.length() > 2048) {
                        throw new AwsError(400, "InvalidParameterException",
                                "Attribute " + attribute.getString("Name") + " is longer than 2048 characters");
                    }
                    attributes.put(attribute.getString("Name"), value);
                }
                yield "{}";
            }
        };
    }

    private Map<String, String> user(JsonObject body) {
        if (!USER_POOL_ID.equals(body.getString("UserPoolId"))) {
            throw new AwsError(400, "ResourceNotFoundException", "User pool " + body.getString("UserPoolId")
                    + " does not exist.");
        }
        Map<String, String> attributes = users.get(body.getString("Username"));
        if (attributes == null) {
            throw new AwsError(400, "UserNotFoundException", "User does not exist.");
        }
        return attributes;
    }

    private Policy createPolicy(String name, String document) {
        IotPolicyRules.problemWithName(name).ifPresent(p -> {
            throw new AwsError(400, "InvalidRequestException", p);
        });
        if (policies.containsKey(name)) {
            throw new AwsError(409, "ResourceAlreadyExistsException", "Policy " + name + " already exists");
        }
        checkDocument(document);
        Policy policy = new Policy(name, tick());
        policies.put(name, policy);
        createVersion(policy, document, true);
        return policy;
    }

    private Version createVersion(Policy policy, String document, boolean setAsDefault) {
        checkDocument(document);
        if (policy.versions.size() >= IotQuotas.MAX_VERSIONS_PER_POLICY) {
            throw new AwsError(409, "VersionsLimitExceededException", "The policy " + policy.name
                    + " already has the maximum number of versions (" + IotQuotas.MAX_VERSIONS_PER_POLICY + ")");
        }
        Version version = new Version(++policy.lastVersion, document, tick());
        policy.versions.put(version.id(), version);
        if (setAsDefault || policy.defaultVersion == 0) {
            policy.defaultVersion = version.id();
        }
        policy.lastModified = version.createdAt();
        return version;
    }

    private static void checkDocument(String document) {
        if (document == null) {
            throw new AwsError(400, "InvalidRequestException", "policyDocument is required");
        }
        IotPolicyRules.problemWithDocument(document).ifPresent(p -> {
            throw new AwsError(400, "MalformedPolicyException", p);
        });
    }

    private Policy existing(String name) {
        Policy policy = policies.get(name);
        if (policy == null) {
            throw new AwsError(404, "ResourceNotFoundException", "Policy " + name + " not found");
        }
        return policy;
    }

    /** Every change gets a later time, as two real API calls would. */
    private Instant tick() {
        clock = clock.plusSeconds(1);
        return clock;
    }

    private static String arn(String policy) {
        return "arn:aws:iot:" + REGION + ":" + ACCOUNT + ":policy/" + policy;
    }

    private static double epochSeconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

    private static String segment(Pattern pattern, String rawPath, int group) {
        Matcher matcher = pattern.matcher(rawPath);
        if (!matcher.matches()) {
            throw new IllegalStateException(rawPath + " does not match " + pattern);
        }
        return decode(matcher.group(group));
    }

    /** Percent-decoding only: a '+' in a path is a plus (policy names may hold one), not a space. */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }
}
