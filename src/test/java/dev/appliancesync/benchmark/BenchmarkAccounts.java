package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.appliancesync.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Benchmark setup over plain HTTP: dev-token sign-ins, shares, GraphQL posts. Thread-safe and with little client
 * overhead (one JDK HTTP client), so setup can run on a few threads.
 */
public final class BenchmarkAccounts {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String PROVISION = """
            mutation($s: String!, $t: ApplianceType!, $c: String!) {
              provisionAppliance(serialNumber: $s, type: $t, claimCode: $c) { id } }""";
    private static final String CLAIM = """
            mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { id } }""";
    private static final String SHARE = """
            mutation($a: ID!, $e: String!, $r: Role!) {
              shareAppliance(applianceId: $a, recipientEmail: $e, role: $r) { share { id } } }""";

    /** A user: {@code id} is the service's, {@code token} null for one that never calls the API. */
    public record Account(String username, String email, String token, String id) {
    }

    public interface Task<T> {
        T run(int i) throws Exception;
    }

    private final URI graphql;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(BOUND).build();

    public BenchmarkAccounts(URI graphql) {
        this.graphql = graphql;
    }

    /** A new user (unique name from {@code prefix}) with a dev token, known to the service ({@code me} answered). */
    public Account signIn(String prefix) {
        return signIn(prefix, List.of());
    }

    /** {@link #signIn(String)} with token groups, e.g. {@code admin} for an operator. */
    public Account signIn(String prefix, List<String> groups) {
        String username = Tokens.uniqueUsername(prefix);
        String email = username + "@example.com";
        JsonObject issued = send("/dev/token", null, new JsonObject().put("username", username).put("email", email)
                .put("groups", new JsonArray(groups)));
        String token = issued.getString("access_token");
        JsonObject me = post(token, "{ me { id } }", new JsonObject());
        assertThat(me.getValue("errors")).as("sign-in of %s", username).isNull();
        return new Account(username, email, token, me.getJsonObject("data").getJsonObject("me").getString("id"));
    }

    /**
     * An appliance of {@code type} with this serial number (also its thing name), provisioned by {@code operator} (an
     * account in group admin) and claimed by {@code owner}; returns its id. Unlike {@code support.Appliances}, safe on
     * several threads.
     */
    public String claimed(Account operator, Account owner, String serial, String type) {
        String code = "code-" + serial;
        JsonObject provisioned = post(operator.token(), PROVISION, new JsonObject().put("s", serial).put("t", type)
                .put("c", code));
        assertThat(provisioned.getValue("errors")).as("provisionAppliance %s: %s", serial, provisioned).isNull();
        return claim(owner.token(), serial, code);
    }

    /** {@code claimAppliance} of a provisioned appliance by the holder of {@code token}; returns its id. */
    public String claim(String token, String serial, String code) {
        JsonObject claimed = post(token, CLAIM, new JsonObject().put("s", serial).put("c", code));
        assertThat(claimed.getValue("errors")).as("claimAppliance %s: %s", serial, claimed).isNull();
        return claimed.getJsonObject("data").getJsonObject("claimAppliance").getString("id");
    }

    /** {@code shareAppliance}; returns the share's id. */
    public String shareWith(Account owner, String appliance, Account recipient, String role) {
        JsonObject shared = post(owner.token(), SHARE, new JsonObject().put("a", appliance).put("e", recipient.email())
                .put("r", role));
        assertThat(shared.getValue("errors")).as("shareAppliance: %s", shared).isNull();
        return shared.getJsonObject("data").getJsonObject("shareAppliance").getJsonObject("share").getString("id");
    }

    /** A GraphQL request; asserts HTTP 200 and returns the response body (which may hold errors). */
    public JsonObject post(String token, String query, JsonObject variables) {
        return send(graphql.getPath(), token, new JsonObject().put("query", query).put("variables", variables));
    }

    private JsonObject send(String path, String token, JsonObject body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(graphql.resolve(path)).timeout(BOUND)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
            return new JsonObject(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code task} for 0..count-1 on {@code threads} threads; results in order. */
    public static <T> List<T> parallel(int count, int threads, Task<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> task.run(index)));
            }
            List<T> results = new ArrayList<>(count);
            for (Future<T> future : futures) {
                results.add(future.get(5, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
