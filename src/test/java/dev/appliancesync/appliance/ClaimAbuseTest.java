package dev.appliancesync.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.benchmark.BenchmarkAccounts;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Claims as an attacker would try them: many wrong codes at once from several accounts, while the buyer claims; and
 * serial numbers probed for existence. Each code comparison leaves a claim_attempt row (written before the compare, in
 * its transaction) and counts in appliance_sync_claims_code_checks_total, so both are counted here.
 */
@QuarkusTest
class ClaimAbuseTest {

    private static final String CLAIM = """
            mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { id myRole } }""";
    private static final int ATTACKERS = 4;
    private static final int CLAIMS_EACH = 50;

    @Inject
    Database database;

    @Inject
    MeterRegistry metrics;

    @Inject
    ClaimConfig config;

    @TestHTTPResource("/graphql")
    URI graphql;

    @Test
    void concurrentWrongClaimsGetAtMostTheLimitsChecksAndTheBuyerStillClaims() throws Exception {
        BenchmarkAccounts http = new BenchmarkAccounts(graphql);
        List<User> attackers = IntStream.range(0, ATTACKERS).mapToObj(i -> User.signedIn("attacker")).toList();
        User buyer = User.signedIn("buyer");
        String[] oven = Appliances.provision("MINI_OVEN");
        double refusedBefore = checks("REFUSED");
        double matchedBefore = checks("MATCHED");

        // 200 wrong claims, 50 from each of 4 accounts, 16 at a time over HTTP; the buyer's claim goes in half-way.
        int total = ATTACKERS * CLAIMS_EACH;
        List<JsonObject> answers = BenchmarkAccounts.parallel(total + 1, 16, i -> i == total / 2
                ? http.post(buyer.token(), CLAIM, new JsonObject().put("s", oven[0]).put("c", oven[1]))
                : http.post(attackers.get(i % ATTACKERS).token(), CLAIM,
                        new JsonObject().put("s", oven[0]).put("c", "guess-" + i)));

        JsonObject bought = answers.get(total / 2);
        assertThat(bought.getValue("errors")).as("the buyer's claim during the attack: %s", bought).isNull();
        assertThat(bought.getJsonObject("data").getJsonObject("claimAppliance").getString("myRole")).isEqualTo("OWNER");
        List<String> codes = IntStream.range(0, answers.size()).filter(i -> i != total / 2)
                .mapToObj(i -> answers.get(i).getJsonArray("errors").getJsonObject(0).getJsonObject("extensions")
                        .getString("code"))
                .toList();
        int checkedAtMost = ATTACKERS * config.maxFailuresPerUser();
        assertThat(codes).hasSize(total);
        assertThat(codes.stream().filter("FORBIDDEN"::equals).count()).isEqualTo(checkedAtMost);
        assertThat(codes.stream().filter("RATE_LIMITED"::equals).count()).isEqualTo(total - checkedAtMost);
        // The codes actually compared: one attempt row each, and the metric, agree.
        assertThat(database.count("select count(*) from claim_attempt where user_id = any($1)",
                (Object) attackers.stream().map(user -> UUID.fromString(user.id())).toArray(UUID[]::new))).isEqualTo(checkedAtMost);
        assertThat(checks("REFUSED") - refusedBefore).isEqualTo(checkedAtMost);
        assertThat(checks("MATCHED") - matchedBefore).isEqualTo(1);

        // Twice the wrong codes the old per-serial lock allowed (10) are on this serial; the buyer is not locked out.
        assertThat(database.count("select count(*) from claim_attempt where serial_number = $1 and not succeeded",
                oven[0])).isEqualTo(checkedAtMost);
        GraphQL.post(buyer.token(), CLAIM, Map.of("s", oven[0], "c", oven[1])).then().body("errors", nullValue())
                .body("data.claimAppliance.myRole", equalTo("OWNER"));
        assertThat(database.count("select count(*) from appliance where serial_number = $1 and owner_id = $2::uuid",
                oven[0], buyer.id())).isEqualTo(1);
    }

    @Test
    void anUnknownSerialAndAWrongCodeGetByteIdenticalAnswers() {
        User prober = User.signedIn("prober");
        String[] unclaimed = Appliances.provision("COOKER");
        User owner = User.signedIn("owner");
        Appliances.Claimed claimed = Appliances.claimed(owner.token(), "FRIDGE");

        String unknown = refusal(prober, "SN-" + UUID.randomUUID().toString().substring(0, 13), "guess-000001");
        String wrongCode = refusal(prober, unclaimed[0], "guess-000001");
        String wrongCodeOfClaimed = refusal(prober, claimed.serialNumber(), "guess-000001");

        assertThat(new JsonObject(unknown).getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getMap())
                .containsEntry("code", "FORBIDDEN").containsEntry("reason", "CLAIM_REFUSED");
        assertThat(wrongCode).isEqualTo(unknown);
        assertThat(wrongCodeOfClaimed).isEqualTo(unknown);
        // Each probe was an attempt counted against the prober, known serial or not.
        assertThat(database.count("select count(*) from claim_attempt where user_id = $1::uuid and not succeeded",
                prober.id())).isEqualTo(3);
        // Only the holder of the right code learns that the appliance is taken.
        GraphQL.post(prober.token(), CLAIM, Map.of("s", claimed.serialNumber(), "c", claimed.claimCode())).then()
                .body("errors[0].extensions.code", equalTo("CONFLICT"))
                .body("errors[0].extensions.reason", equalTo("ALREADY_CLAIMED"));
    }

    @Test
    void newClaimCodesHaveAtLeastTheMinimumLength() {
        String provision = """
                mutation($s: String!, $c: String!) { provisionAppliance(serialNumber: $s, type: SENSE, claimCode: $c) {
                  id } }""";
        String shortCode = "x".repeat(config.minCodeLength() - 1);
        GraphQL.post(Appliances.operatorToken(), provision, Map.of("s", serial(), "c", shortCode)).then()
                .body("errors[0].extensions.code", equalTo("VALIDATION"));
        GraphQL.post(Appliances.operatorToken(), provision, Map.of("s", serial(), "c", shortCode + "x")).then()
                .body("errors", nullValue());
    }

    private static String refusal(User user, String serial, String code) {
        return GraphQL.post(user.token(), CLAIM, Map.of("s", serial, "c", code)).then().statusCode(200)
                .body("errors[0].extensions.code", equalTo("FORBIDDEN")).extract().asString();
    }

    private double checks(String outcome) {
        Counter counter = metrics.find(ServiceMetrics.CLAIM_CODE_CHECKS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String serial() {
        return "SN-" + UUID.randomUUID().toString().substring(0, 13);
    }
}
