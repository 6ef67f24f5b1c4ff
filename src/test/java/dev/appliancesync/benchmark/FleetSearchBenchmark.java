package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.fleet.AttributeFilter;
import dev.appliancesync.fleet.AttributeValue;
import dev.appliancesync.fleet.FleetQuery;
import dev.appliancesync.fleet.FleetRepository;
import dev.appliancesync.fleet.FleetSearch;
import dev.appliancesync.fleet.VersionFilter;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Fleet search over 100,000 appliances with realistic shadows (seed 001's fridges: DoorOpened, RunningMode,
 * temperatures; ovens, cookers, sensors; mixed firmware; presence for most), written by one bulk insert each. Prints
 * p50/p99 of selective queries through the GraphQL API (HTTP, token, Cedar, audit row, SQL) against the same SQL run
 * directly on the pool (the baseline), and the plan PostgreSQL chose for the most selective one.
 * Run: ./mvnw -B -o -Pbenchmarks test -Dtest=FleetSearchBenchmark
 */
@QuarkusTest
class FleetSearchBenchmark {

    private static final int APPLIANCES = 100_000;
    private static final int WARM_UP = 100;
    private static final int MEASURED = 400;
    private static final Duration SETUP = Duration.ofMinutes(5);

    private static final String SEARCH = """
            query($q: FleetQuery!) { fleet(query: $q, first: 20) { appliances { id type firmwareVersion online } hasMore } }""";

    @Inject
    Pool pool;

    @Inject
    FleetRepository fleet;

    @Test
    void selectiveSearchesOver100kAppliances() {
        populate();
        User operator = User.signedIn("bench-fleet-op", List.of("admin"));

        // 1. The seed's question: fridges with the door open (0.2% of fridges).
        Map<String, Object> doorOpenJson = Map.of("types", List.of("FRIDGE"), "attributes",
                List.of(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true))));
        FleetQuery doorOpen = query(List.of(ApplianceType.FRIDGE), null, null,
                List.of(attribute("reported.DoorOpened", new AttributeValue(null, null, true), null)));
        // 2. Ovens on old firmware (semantic: < 1.10) running a given mode, online.
        Map<String, Object> oldOvensJson = Map.of("types", List.of("MINI_OVEN"), "online", true,
                "firmware", Map.of("lt", "1.10"), "attributes", List.of(Map.of("path", "reported.Mode",
                        "in", List.of(Map.of("text", "GRILL"), Map.of("text", "DEFROST")))));
        FleetQuery oldOvens = query(List.of(ApplianceType.MINI_OVEN), new VersionFilter(null, null, "1.10", null, null,
                null), true, List.of(attribute("reported.Mode", null, List.of(new AttributeValue("GRILL", null, null),
                        new AttributeValue("DEFROST", null, null)))));

        int doorOpenFound = GraphQL.post(operator.token(), SEARCH, Map.of("q", doorOpenJson)).then().body("errors",
                nullValue()).extract().path("data.fleet.appliances.size()");
        int oldOvensFound = GraphQL.post(operator.token(), SEARCH, Map.of("q", oldOvensJson)).then().body("errors",
                nullValue()).extract().path("data.fleet.appliances.size()");
        assertThat(doorOpenFound).as("the door-open query finds its fridges").isPositive();
        assertThat(oldOvensFound).as("the old-ovens query finds ovens").isPositive();

        FleetRepository.Statement doorOpenSql = fleet.pageStatement(everyType(doorOpen), null, 21);
        FleetRepository.Statement oldOvensSql = fleet.pageStatement(everyType(oldOvens), null, 21);
        List<String> plan = explain(doorOpenSql);
        System.out.println("BENCHMARK fleet-search | plan of the door-open page:\n  " + String.join("\n  ", plan));
        assertThat(plan).as("no sequential scan of the shadows for a selective equality")
                .noneMatch(line -> line.contains("Seq Scan on device_state"));

        // Interleaved, one request of each kind in turn: on a shared machine the load drifts, and measured one series
        // after the other, the drift would land on whichever series ran at the busy moment.
        Map<String, Object> noVariables = Map.of();
        Runnable doorOpenByApi = () -> apiCall(operator.token(), SEARCH, Map.of("q", doorOpenJson));
        Runnable doorOpenBySql = () -> sqlCall(doorOpenSql);
        Runnable oldOvensByApi = () -> apiCall(operator.token(), SEARCH, Map.of("q", oldOvensJson));
        Runnable oldOvensBySql = () -> sqlCall(oldOvensSql);
        Runnable me = () -> apiCall(operator.token(), "{ me { id } }", noVariables);
        Runnable countOvens = () -> apiCall(operator.token(), """
                query($q: FleetQuery!) { fleet(query: $q, first: 1) { counts(by: {field: FIRMWARE_VERSION}) { value count } } }""",
                Map.of("q", Map.of("types", List.of("MINI_OVEN"))));
        List<Samples> measured = interleaved(List.of(doorOpenByApi, doorOpenBySql, oldOvensByApi, oldOvensBySql, me,
                countOvens));
        Samples doorOpenApi = report("door open, API", measured.get(0));
        Samples doorOpenDirect = report("door open, SQL directly", measured.get(1));
        Samples oldOvensApi = report("old ovens, API", measured.get(2));
        Samples oldOvensDirect = report("old ovens, SQL directly", measured.get(3));
        Samples floor = report("`{ me { id } }`, API", measured.get(4));
        Samples countsApi = report("counts by firmware of all ovens, API", measured.get(5));

        BenchmarkResults.of(9, "fleet-search", "Fleet search over 100,000 appliances")
                .baseline("SQL", "the same SQL statement (FleetRepository's page, 21 rows) run directly on the pool")
                .baseline("me", "`{ me { id } }`: the same HTTP, token and GraphQL path, no search")
                .conditions(("100,000 appliances (40%% fridges, 30%% ovens; 5 firmware lines), one shadow each, 70%% "
                        + "with presence; selective queries of 20 per page through HTTP + GraphQL + Cedar + audit row, "
                        + "one at a time, %d rounds after %d warm-up, each round one request of every series in turn (the SQL alone, `{ me { id } }` and the counts too)")
                        .formatted(MEASURED, WARM_UP))
                .figure("door open (FRIDGE, reported.DoorOpened = true) p50", "ms", BenchmarkResults.Better.LOWER,
                        doorOpenApi.p50(), BenchmarkResults.against("SQL", doorOpenDirect.p50()),
                        BenchmarkResults.against("me", floor.p50()))
                .figure("door open p99", "ms", BenchmarkResults.Better.LOWER, doorOpenApi.p99(),
                        BenchmarkResults.against("SQL", doorOpenDirect.p99()), BenchmarkResults.against("me", floor.p99()))
                .figure("old ovens (firmware < 1.10, online, Mode in 2) p50", "ms", BenchmarkResults.Better.LOWER,
                        oldOvensApi.p50(), BenchmarkResults.against("SQL", oldOvensDirect.p50()))
                .figure("old ovens p99", "ms", BenchmarkResults.Better.LOWER, oldOvensApi.p99(),
                        BenchmarkResults.against("SQL", oldOvensDirect.p99()))
                .detail("counts by firmware of all 30,000 ovens (API)", "p50 %.1f ms, p99 %.1f ms"
                        .formatted(countsApi.p50(), countsApi.p99()))
                .detail("plan of the door-open page", plan.stream().filter(line -> line.contains("Scan"))
                        .map(String::strip).reduce((a, b) -> a + "; " + b).orElse(""))
                .write();
    }

    private void populate() {
        long started = System.nanoTime();
        exec("""
                insert into app_user (subject) select 'bench-fleet-owner-' || g || '-' || gen_random_uuid()
                from generate_series(1, 1000) g""");
        exec("""
                insert into household (name, thing_prefix, owner_id)
                select 'Fleet bench', substr(md5(random()::text || u.id::text), 1, 8), u.id
                from app_user u where u.subject like 'bench-fleet-owner-%'""");
        // Types by i: 40% FRIDGE, 30% MINI_OVEN, 10% each COOKER, SENSE, GENERIC. 70% claimed, in a household.
        exec("""
                with h as (select id, owner_id, row_number() over (order by id) as n from household
                           where name = 'Fleet bench')
                insert into appliance (serial_number, appliance_type, thing_name, claim_code_hash, firmware_version,
                                       owner_id, household_id, claimed_at)
                select s, t, s, repeat('0', 64), fw, h.owner_id, h.id, case when h.id is null then null else now() end
                from (select g, 'fleet-bench-' || g || '-' || substr(md5(random()::text), 1, 6) as s,
                             case when g % 10 < 4 then 'FRIDGE' when g % 10 < 7 then 'MINI_OVEN'
                                  when g % 10 = 7 then 'COOKER' when g % 10 = 8 then 'SENSE' else 'GENERIC' end as t,
                             (array['1.8.3', '1.9.0', '1.10.2', '2.0.0', '2.1.0-beta', null])[1 + (g / 10) % 6] as fw
                      from generate_series(1, $1) g) a
                left join h on a.g % 10 < 7 and h.n = 1 + a.g % 1000""", APPLIANCES);
        // Seed 001's fridge: DoorOpened (open on 1 in 500), RunningMode, temperatures; ovens a mode and a temperature.
        exec("""
                insert into device_state (appliance_id, shadow_name, reported, desired, shadow_version, reported_at)
                select a.id, '',
                       case a.appliance_type
                         when 'FRIDGE' then jsonb_build_object('DoorOpened', (hashtext(a.serial_number) % 500 = 0),
                             'RunningMode', (array['ECO', 'QUIET', 'TURBO', 'NORMAL'])[1 + abs(hashtext(a.id::text)) % 4],
                             'Temperature', jsonb_build_object('fridge', 2 + abs(hashtext(a.id::text)) % 7,
                                                               'freezer', -20 + abs(hashtext(a.id::text)) % 5),
                             'Ingredients', jsonb_build_array('milk', 'eggs', 'butter'))
                         when 'MINI_OVEN' then jsonb_build_object('Mode',
                             (array['BAKE', 'GRILL', 'DEFROST', 'OFF', 'OFF', 'OFF', 'OFF', 'OFF', 'OFF', 'OFF'])[1 + abs(hashtext(a.id::text)) % 10],
                             'Temp', 20 + abs(hashtext(a.id::text)) % 230, 'Timer', abs(hashtext(a.serial_number)) % 60)
                         else jsonb_build_object('Power', (abs(hashtext(a.id::text)) % 2 = 0))
                       end,
                       case a.appliance_type when 'FRIDGE' then jsonb_build_object('RunningMode', 'ECO')
                                             else '{}'::jsonb end,
                       1, now()
                from appliance a where a.serial_number like 'fleet-bench-%'""");
        exec("""
                insert into device_presence (appliance_id, online, last_seen_at, event_at)
                select a.id, abs(hashtext(a.id::text)) % 2 = 0,
                       now() - (abs(hashtext(a.serial_number)) % 43200) * interval '1 minute',
                       now() - (abs(hashtext(a.serial_number)) % 43200) * interval '1 minute'
                from appliance a where a.serial_number like 'fleet-bench-%' and abs(hashtext(a.id::text)) % 10 < 7""");
        // What autovacuum would have done by now on a live database.
        exec("analyze appliance");
        exec("analyze device_state");
        exec("analyze device_presence");
        System.out.printf("BENCHMARK fleet-search | %,d appliances written in %.1f s%n", APPLIANCES,
                (System.nanoTime() - started) / 1e9);
    }

    /** Each task {@link #WARM_UP} times, then {@link #MEASURED} rounds of each task once, in turn. */
    private static List<Samples> interleaved(List<Runnable> tasks) {
        for (int i = 0; i < WARM_UP; i++) {
            tasks.forEach(Runnable::run);
        }
        long[][] nanos = new long[tasks.size()][MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            for (int t = 0; t < tasks.size(); t++) {
                long started = System.nanoTime();
                tasks.get(t).run();
                nanos[t][i] = System.nanoTime() - started;
            }
        }
        List<Samples> samples = new ArrayList<>();
        for (long[] series : nanos) {
            samples.add(Samples.ofNanos(series));
        }
        return samples;
    }

    private static void apiCall(String token, String document, Map<String, Object> variables) {
        GraphQL.post(token, document, variables).then().statusCode(200).body("errors", nullValue());
    }

    private void sqlCall(FleetRepository.Statement statement) {
        pool.preparedQuery(statement.sql()).execute(statement.params()).await().atMost(SETUP);
    }

    private static Samples report(String label, Samples samples) {
        System.out.printf("BENCHMARK fleet-search | %s | n=%d | p50 %.1f ms | p95 %.1f ms | p99 %.1f ms | max %.1f ms%n",
                label, samples.count(), samples.p50(), samples.ms(95), samples.p99(), samples.max());
        return samples;
    }

    private List<String> explain(FleetRepository.Statement statement) {
        List<String> lines = new ArrayList<>();
        for (Row row : pool.preparedQuery("explain (analyze, costs off) " + statement.sql()).execute(statement.params())
                .await().atMost(SETUP)) {
            lines.add(row.getString(0));
        }
        return lines;
    }

    private static FleetSearch everyType(FleetQuery query) {
        return new FleetSearch(EnumSet.allOf(ApplianceType.class), query);
    }

    private static FleetQuery query(List<ApplianceType> types, VersionFilter firmware, Boolean online,
            List<AttributeFilter> attributes) {
        return new FleetQuery(types, firmware, online, null, null, null, attributes, null, null, null);
    }

    private static AttributeFilter attribute(String path, AttributeValue equals, List<AttributeValue> in) {
        return new AttributeFilter(path, null, equals, in, null, null, null, null, null);
    }

    private void exec(String sql, Object... parameters) {
        pool.preparedQuery(sql).execute(Tuple.from(parameters)).await().atMost(SETUP);
    }
}
