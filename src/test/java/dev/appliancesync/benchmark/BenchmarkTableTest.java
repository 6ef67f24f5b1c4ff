package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The results table: a measure against two baselines reads as one measure with a row per baseline. */
class BenchmarkTableTest {

    @Test
    void aMeasureAgainstTwoBaselinesHasARowPerBaselineEachWithItsOwnRatio() {
        JsonObject benchmark = BenchmarkResults.of(2, "fan-out", "Fan-out ceiling")
                .baseline("Node peer", "one Node.js process")
                .baseline("bare Vert.x", "a bare Vert.x WebSocket server")
                .conditions("1,000 subscribers")
                .figure("deliveries per CPU-second", "/s", BenchmarkResults.Better.HIGHER, 10_000,
                        BenchmarkResults.against("Node peer", 40_000), BenchmarkResults.against("bare Vert.x", 80_000))
                .figure("delivery p50", "ms", BenchmarkResults.Better.LOWER, 30,
                        BenchmarkResults.against("Node peer", 10), BenchmarkResults.against("bare Vert.x", 5))
                .json();

        String markdown = BenchmarkTable.markdown(results(benchmark));

        assertThat(markdown).contains(
                "| 2 | Fan-out ceiling (Node peer: one Node.js process; bare Vert.x: a bare Vert.x WebSocket server) "
                        + "| deliveries per CPU-second | 10,000 /s | 40,000 /s (Node peer) | **0.250×** |\n"
                        + "|  |  |  |  | 80,000 /s (bare Vert.x) | **0.125×** |\n"
                        + "|  |  | delivery p50 | 30 ms | 10 ms (Node peer) | **3×** |\n"
                        + "|  |  |  |  | 5 ms (bare Vert.x) | **6×** |\n");
    }

    @Test
    void aBenchmarkWithOneBaselineKeepsItsRows() {
        JsonObject benchmark = BenchmarkResults.of(6, "revocation", "Revocation cut-off")
                .baseline("an ordinary change reaching the same guest")
                .figure("p50", "ms", BenchmarkResults.Better.LOWER, 10, 5)
                .figure("p99", "ms", BenchmarkResults.Better.LOWER, 20, 10)
                .json();

        assertThat(BenchmarkTable.markdown(results(benchmark))).contains(
                "| 6 | Revocation cut-off (an ordinary change reaching the same guest) | p50 | 10 ms | 5 ms | **2×** |\n"
                        + "|  |  | p99 | 20 ms | 10 ms | **2×** |\n");
    }

    private static JsonObject results(JsonObject benchmark) {
        return new JsonObject().put("measuredAt", "2026-12-07T08:00:00Z").put("wholeRunSeconds", 0L)
                .put("machine", new JsonObject().put("cpu", "a CPU").put("cores", 2).put("memoryGiB", 8L)
                        .put("java", "Java 25").put("commit", "abc1234"))
                .put("benchmarks", new JsonArray().add(benchmark));
    }
}
