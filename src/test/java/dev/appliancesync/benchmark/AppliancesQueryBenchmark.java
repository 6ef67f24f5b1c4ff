package dev.appliancesync.benchmark;

import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * `appliances` with capabilities for a user who reaches 200 appliances every way there is: owned, two households
 * (FAMILY and GUEST), direct FAMILY and GUEST shares, some narrowed, across all five types. Prints latency
 * percentiles of the whole HTTP round trip, against {@code { me { id } }} (the same path with no data to read).
 * Run: ./mvnw -Pbenchmarks test -Dtest=AppliancesQueryBenchmark
 */
@QuarkusTest
class AppliancesQueryBenchmark {

    private static final String[] TYPES = { "MINI_OVEN", "SENSE", "COOKER", "FRIDGE", "GENERIC" };
    private static final String QUERY = "{ appliances { id name type myRole myCapabilities household { id } } }";
    private static final String ME = "{ me { id } }";
    private static final int WARM_UP = 100;
    private static final int MEASURED = 300;

    @Inject
    Pool pool;

    @Test
    void appliancesWithCapabilitiesFor200Appliances() {
        User owner = User.signedIn("bench-owner");
        User user = User.signedIn("bench-user");
        UUID ownerId = UUID.fromString(owner.id());
        UUID userId = UUID.fromString(user.id());
        UUID family = household(ownerId, "fam");
        UUID guests = household(ownerId, "gst");
        membership(family, userId, "FAMILY", ownerId);
        membership(guests, userId, "GUEST", ownerId);
        for (int i = 0; i < 200; i++) {
            String type = TYPES[i % TYPES.length];
            if (i < 50) {
                appliance(userId, null, type);
            } else if (i < 100) {
                appliance(ownerId, family, type);
            } else if (i < 130) {
                appliance(ownerId, guests, type);
            } else {
                UUID shared = appliance(ownerId, null, type);
                String role = i % 2 == 0 ? "FAMILY" : "GUEST";
                String[] narrowed = i % 3 == 0 ? new String[] { "VIEW_STATUS" } : null;
                exec("insert into share (appliance_id, recipient_id, role, capabilities, granted_by) values ($1, $2, $3, $4, $5)",
                        shared, userId, role, narrowed, ownerId);
            }
        }
        // Guests see only MINI_OVEN and GENERIC: 200 reachable, fewer visible. The owner sees their 150.
        int visible = GraphQL.post(user.token(), QUERY).then().body("errors", nullValue())
                .extract().path("data.appliances.size()");
        GraphQL.post(owner.token(), QUERY).then().body("data.appliances", hasSize(150));

        Samples reaching = measure("user reaching 200 appliances (" + visible + " visible)", user.token(), QUERY);
        Samples owning = measure("owner of 150 appliances", owner.token(), QUERY);
        Samples floor = measure("baseline: `{ me { id } }`", user.token(), ME);
        BenchmarkResults.of(8, "appliances-query", "`appliances` with capabilities")
                .baseline("`{ me { id } }`: the same HTTP, token and GraphQL path, no data")
                .conditions(("a user reaching 200 appliances every way there is (owned, 2 households, direct FAMILY "
                        + "and GUEST shares, some narrowed; %d visible), whole HTTP round trips one at a time, %d after "
                        + "%d warm-up; the baseline right after, the same way").formatted(visible, MEASURED, WARM_UP))
                .figure("p50", "ms", BenchmarkResults.Better.LOWER, reaching.p50(), floor.p50())
                .figure("p99", "ms", BenchmarkResults.Better.LOWER, reaching.p99(), floor.p99())
                .detail("an owner of 150 appliances", "p50 %.1f ms, p99 %.1f ms".formatted(owning.p50(), owning.p99()))
                .write();
    }

    private static Samples measure(String label, String token, String query) {
        for (int i = 0; i < WARM_UP; i++) {
            GraphQL.post(token, query).then().statusCode(200).body("errors", nullValue());
        }
        long[] nanos = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long started = System.nanoTime();
            GraphQL.post(token, query).then().statusCode(200);
            nanos[i] = System.nanoTime() - started;
        }
        Samples samples = Samples.ofNanos(nanos);
        System.out.printf("BENCHMARK appliances-query | %s | n=%d | p50 %.1f ms | p95 %.1f ms | p99 %.1f ms | max %.1f ms%n",
                label, MEASURED, samples.p50(), samples.ms(95), samples.p99(), samples.max());
        return samples;
    }

    private UUID household(UUID ownerId, String tag) {
        String prefix = (tag + UUID.randomUUID().toString().replace("-", "")).substring(0, 8);
        return pool.preparedQuery("insert into household (name, thing_prefix, owner_id) values ($1, $2, $3) returning id")
                .execute(Tuple.of("Bench " + tag, prefix, ownerId)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getUUID("id");
    }

    private void membership(UUID householdId, UUID userId, String role, UUID ownerId) {
        exec("insert into share (household_id, recipient_id, role, granted_by) values ($1, $2, $3, $4)",
                householdId, userId, role, ownerId);
    }

    private UUID appliance(UUID ownerId, UUID householdId, String type) {
        String serial = "bench-" + UUID.randomUUID(); // the thing name too, in a household or not
        return pool.preparedQuery("""
                        insert into appliance (serial_number, appliance_type, thing_name, claim_code_hash, owner_id,
                            household_id, claimed_at, name)
                        values ($1, $2, $1, repeat('0', 64), $3, $4, now(), 'Bench') returning id""")
                .execute(Tuple.from(new Object[] { serial, type, ownerId, householdId }))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getUUID("id");
    }

    private void exec(String sql, Object... parameters) {
        List<Object> values = new ArrayList<>(Arrays.asList(parameters));
        pool.preparedQuery(sql).execute(Tuple.from(values)).await().atMost(Duration.ofSeconds(10));
    }
}
