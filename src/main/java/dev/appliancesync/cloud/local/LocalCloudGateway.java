package dev.appliancesync.cloud.local;

import static dev.appliancesync.cloud.gateway.CloudRejectedException.DELETE_CONFLICT;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.INVALID_REQUEST;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.LIMIT_EXCEEDED;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.MALFORMED_POLICY;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.RESOURCE_ALREADY_EXISTS;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.RESOURCE_NOT_FOUND;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.VERSIONS_LIMIT_EXCEEDED;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.appliancesync.cloud.gateway.CloudGateway;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.gateway.CloudRejectedException;
import dev.appliancesync.cloud.gateway.CloudUnavailableException;
import dev.appliancesync.cloud.gateway.DeveloperLogin;
import dev.appliancesync.cloud.gateway.IotPolicyRules;
import dev.appliancesync.cloud.gateway.OpenIdToken;
import dev.appliancesync.cloud.gateway.PolicyState;
import dev.appliancesync.cloud.gateway.PolicyVersion;
import dev.appliancesync.cloud.policy.IotQuotas;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The cloud gates kept in our own PostgreSQL (tables cloud_local_*, migration db/dev-migration/V11.1), for dev mode
 * and tests only (a production build leaves this package out, see the pom's maven-jar-plugin): a
 * newcomer sees the compiled policies, their versions and attachments, and the vended identities with psql, no AWS
 * account needed. It refuses what IoT Core
 * refuses, with the same error codes ({@link IotPolicyRules}, version and attachment limits, delete conflicts), so a
 * converge makes the same calls here as against AWS. Unlike Cognito, every username exists (users come from the local
 * token issuer). Blocking: waits for the reactive client, so call it from a worker thread.
 */
public final class LocalCloudGateway implements CloudGateway {

    private static final String POLICY_DEFAULT = """
            select v.document, p.default_version_id from cloud_local_policy p
            join cloud_local_policy_version v on v.policy_name = p.name and v.version_id = p.default_version_id
            where p.name = $1""";
    private static final String VERSIONS = """
            select v.version_id, v.version_id = p.default_version_id as is_default, v.created_at
            from cloud_local_policy p join cloud_local_policy_version v on v.policy_name = p.name
            where p.name = $1 order by v.version_id""";
    private static final String LOCK_POLICY = """
            select default_version_id, last_version_id,
                   (select count(*) from cloud_local_policy_version v where v.policy_name = p.name) as versions,
                   exists (select 1 from cloud_local_policy_attachment a where a.policy_name = p.name) as attached
            from cloud_local_policy p where name = $1 for update""";

    /** Two statements, not one: the second's snapshot sees an identity a concurrent first call just committed. */
    private static final String CREATE_IDENTITY = """
            insert into cloud_local_identity (identity_pool_id, provider_name, login, identity_id)
            values ($1, $2, $3, $4) on conflict do nothing""";
    private static final String IDENTITY = """
            select identity_id from cloud_local_identity
            where identity_pool_id = $1 and provider_name = $2 and login = $3""";
    private static final String ISSUE_TOKEN = """
            with expired as (delete from cloud_local_openid_token where identity_id = $2 and expires_at < now())
            insert into cloud_local_openid_token (token, identity_id, principal_tags, expires_at)
            values ($1, $2, $3, now() + make_interval(secs => $4))""";
    /** GetOpenIdTokenForDeveloperIdentity's TokenDuration: 1 second to 24 hours. */
    static final Duration MAX_TOKEN_DURATION = Duration.ofHours(24);

    private final Pool pool;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    public LocalCloudGateway(Pool pool, Duration timeout) {
        this.pool = pool;
        this.timeout = timeout;
    }

    @Override
    public Set<String> attachedPolicies(String target) {
        return run(CloudOperation.LIST_ATTACHED_POLICIES, c -> c.preparedQuery(
                "select policy_name from cloud_local_policy_attachment where target = $1 order by policy_name")
                .execute(Tuple.of(target))
                .map(rows -> {
                    Set<String> names = new LinkedHashSet<>();
                    rows.forEach(r -> names.add(r.getString("policy_name")));
                    return names;
                }));
    }

    @Override
    public Optional<PolicyState> policy(String name) {
        return run(CloudOperation.GET_POLICY, c -> c.preparedQuery(POLICY_DEFAULT).execute(Tuple.of(name))
                .map(rows -> first(rows).map(r -> new PolicyState(name,
                        String.valueOf(r.getInteger("default_version_id")), r.getString("document")))));
    }

    @Override
    public List<PolicyVersion> policyVersions(String name) {
        List<PolicyVersion> versions = run(CloudOperation.LIST_POLICY_VERSIONS, c -> c.preparedQuery(VERSIONS)
                .execute(Tuple.of(name))
                .map(rows -> {
                    List<PolicyVersion> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new PolicyVersion(String.valueOf(r.getInteger("version_id")),
                            r.getBoolean("is_default"), r.getOffsetDateTime("created_at").toInstant())));
                    return list;
                }));
        if (versions.isEmpty()) {
            throw notFound(CloudOperation.LIST_POLICY_VERSIONS, name);
        }
        return versions;
    }

    @Override
    public void createPolicy(String name, String document) {
        CloudOperation operation = CloudOperation.CREATE_POLICY;
        IotPolicyRules.problemWithName(name).ifPresent(p -> {
            throw new CloudRejectedException(operation, INVALID_REQUEST, p);
        });
        checkDocument(operation, document);
        run(operation, c -> c.preparedQuery("""
                insert into cloud_local_policy (name, default_version_id, last_version_id) values ($1, 1, 1)
                on conflict do nothing returning name""").execute(Tuple.of(name))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new CloudRejectedException(operation, RESOURCE_ALREADY_EXISTS,
                                "Policy " + name + " already exists");
                    }
                    return c.preparedQuery("""
                            insert into cloud_local_policy_version (policy_name, version_id, document)
                            values ($1, 1, $2)""").execute(Tuple.of(name, document));
                }));
    }

    @Override
    public String createDefaultVersion(String name, String document) {
        CloudOperation operation = CloudOperation.CREATE_POLICY_VERSION;
        checkDocument(operation, document);
        return run(operation, c -> locked(c, operation, name).flatMap(policy -> {
            if (policy.getLong("versions") >= IotQuotas.MAX_VERSIONS_PER_POLICY) {
                throw new CloudRejectedException(operation, VERSIONS_LIMIT_EXCEEDED, "The policy " + name
                        + " already has the maximum number of versions (" + IotQuotas.MAX_VERSIONS_PER_POLICY + ")");
            }
            int next = policy.getInteger("last_version_id") + 1;
            return c.preparedQuery("""
                    insert into cloud_local_policy_version (policy_name, version_id, document) values ($1, $2, $3)""")
                    .execute(Tuple.of(name, next, document))
                    .flatMap(inserted -> c.preparedQuery("""
                            update cloud_local_policy set default_version_id = $2, last_version_id = $2 where name = $1""")
                            .execute(Tuple.of(name, next)))
                    .map(updated -> String.valueOf(next));
        }));
    }

    @Override
    public void deletePolicyVersion(String name, String versionId) {
        CloudOperation operation = CloudOperation.DELETE_POLICY_VERSION;
        if (!versionId.matches("[0-9]{1,9}")) {
            throw new CloudRejectedException(operation, INVALID_REQUEST, "Policy version id must be a number");
        }
        int version = Integer.parseInt(versionId);
        run(operation, c -> locked(c, operation, name).flatMap(policy -> {
            if (policy.getInteger("default_version_id") == version) {
                throw new CloudRejectedException(operation, DELETE_CONFLICT,
                        "Cannot delete the default version of a policy; use DeletePolicy");
            }
            return c.preparedQuery("delete from cloud_local_policy_version where policy_name = $1 and version_id = $2")
                    .execute(Tuple.of(name, version))
                    .invoke(rows -> {
                        if (rows.rowCount() == 0) {
                            throw new CloudRejectedException(operation, RESOURCE_NOT_FOUND,
                                    "Policy version " + versionId + " not found");
                        }
                    });
        }));
    }

    @Override
    public void deletePolicy(String name) {
        CloudOperation operation = CloudOperation.DELETE_POLICY;
        run(operation, c -> locked(c, operation, name).flatMap(policy -> {
            if (policy.getBoolean("attached")) {
                throw new CloudRejectedException(operation, DELETE_CONFLICT, "Policy " + name + " is attached");
            }
            if (policy.getLong("versions") > 1) {
                throw new CloudRejectedException(operation, DELETE_CONFLICT,
                        "Policy " + name + " has non-default versions; delete them first");
            }
            return c.preparedQuery("delete from cloud_local_policy where name = $1").execute(Tuple.of(name));
        }));
    }

    @Override
    public void attachPolicy(String name, String target) {
        CloudOperation operation = CloudOperation.ATTACH_POLICY;
        run(operation, c -> c.preparedQuery("select pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of(target))
                .flatMap(locked -> c.preparedQuery("""
                        select exists (select 1 from cloud_local_policy where name = $2) as policy_exists,
                               count(a.policy_name) as attached,
                               coalesce(bool_or(a.policy_name = $2), false) as already
                        from cloud_local_policy_attachment a where a.target = $1""").execute(Tuple.of(target, name)))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    if (!row.getBoolean("policy_exists")) {
                        throw notFound(operation, name);
                    }
                    if (row.getBoolean("already")) {
                        return Uni.createFrom().voidItem();
                    }
                    if (row.getLong("attached") >= IotQuotas.MAX_POLICIES_PER_IDENTITY) {
                        throw new CloudRejectedException(operation, LIMIT_EXCEEDED, "The target " + target
                                + " already has " + row.getLong("attached") + " policies attached; the limit is "
                                + IotQuotas.MAX_POLICIES_PER_IDENTITY);
                    }
                    return c.preparedQuery("insert into cloud_local_policy_attachment (target, policy_name) values ($1, $2)")
                            .execute(Tuple.of(target, name)).replaceWithVoid();
                }));
    }

    @Override
    public void detachPolicy(String name, String target) {
        run(CloudOperation.DETACH_POLICY, c -> c.preparedQuery(
                "delete from cloud_local_policy_attachment where target = $1 and policy_name = $2")
                .execute(Tuple.of(target, name)));
    }

    @Override
    public Map<String, String> userAttributes(String username) {
        return run(CloudOperation.ADMIN_GET_USER, c -> c.preparedQuery(
                "select name, value from cloud_local_user_attribute where username = $1 order by name")
                .execute(Tuple.of(username))
                .map(rows -> {
                    Map<String, String> attributes = new LinkedHashMap<>();
                    rows.forEach(r -> attributes.put(r.getString("name"), r.getString("value")));
                    return attributes;
                }));
    }

    @Override
    public void updateUserAttributes(String username, Map<String, String> attributes) {
        CloudOperation operation = CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES;
        attributes.forEach((name, value) -> {
            if (value.length() > 2048) {
                throw new CloudRejectedException(operation, "InvalidParameterException",
                        "Attribute " + name + " is longer than 2048 characters");
            }
        });
        if (attributes.isEmpty()) {
            return;
        }
        List<Tuple> rows = attributes.entrySet().stream().map(e -> Tuple.of(username, e.getKey(), e.getValue())).toList();
        run(operation, c -> c.preparedQuery("""
                insert into cloud_local_user_attribute (username, name, value) values ($1, $2, $3)
                on conflict (username, name) do update set value = excluded.value, updated_at = clock_timestamp()""")
                .executeBatch(rows));
    }

    /**
     * Like Cognito: one identity per (pool, developer provider, login), {@code <pool's region>:<uuid>}, created the
     * first time; every call hands out a new random token for it (a bearer secret that only the caller sees).
     */
    @Override
    public OpenIdToken openIdToken(DeveloperLogin login, Map<String, String> principalTags, Duration tokenDuration) {
        CloudOperation operation = CloudOperation.GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY;
        if (tokenDuration.toSeconds() < 1 || tokenDuration.compareTo(MAX_TOKEN_DURATION) > 0) {
            throw new CloudRejectedException(operation, "InvalidParameterException",
                    "TokenDuration must be between 1 and 86400 seconds, was " + tokenDuration.toSeconds());
        }
        String candidate = login.region() + ":" + UUID.randomUUID();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = "local." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String identityId = run(operation, c -> c.preparedQuery(CREATE_IDENTITY)
                .execute(Tuple.of(login.identityPoolId(), login.developerProviderName(), login.userId(), candidate))
                .flatMap(created -> c.preparedQuery(IDENTITY).execute(Tuple.of(login.identityPoolId(),
                        login.developerProviderName(), login.userId())))
                .map(rows -> rows.iterator().next().getString("identity_id"))
                .call(identity -> c.preparedQuery(ISSUE_TOKEN).execute(Tuple.of(token, identity,
                        new JsonObject(Map.copyOf(principalTags)), tokenDuration.toSeconds()))));
        return new OpenIdToken(identityId, token);
    }

    /** The policy's row, locked for the rest of the transaction; ResourceNotFoundException when there is none. */
    private static Uni<Row> locked(SqlConnection c, CloudOperation operation, String name) {
        return c.preparedQuery(LOCK_POLICY).execute(Tuple.of(name))
                .map(rows -> first(rows).orElseThrow(() -> notFound(operation, name)));
    }

    private static void checkDocument(CloudOperation operation, String document) {
        IotPolicyRules.problemWithDocument(document).ifPresent(p -> {
            throw new CloudRejectedException(operation, MALFORMED_POLICY, p);
        });
    }

    private static CloudRejectedException notFound(CloudOperation operation, String policy) {
        return new CloudRejectedException(operation, RESOURCE_NOT_FOUND, "Policy " + policy + " not found");
    }

    private static Optional<Row> first(RowSet<Row> rows) {
        return rows.iterator().hasNext() ? Optional.of(rows.iterator().next()) : Optional.empty();
    }

    /** One transaction, waited for; a rejection passes as it is, any other failure means the database is unavailable. */
    private <T> T run(CloudOperation operation, Function<SqlConnection, Uni<T>> work) {
        try {
            return pool.withTransaction(work).await().atMost(timeout);
        } catch (CloudRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CloudUnavailableException(operation, "LocalDatabaseUnavailable", String.valueOf(e.getMessage()),
                    1, e);
        }
    }
}
