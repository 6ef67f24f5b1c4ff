package dev.appliancesync.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording ("profile" settings) of a benchmark's measured window, printed as markdown tables: the hottest
 * methods, the libraries and parts of our code on the stack, and the sampled threads. For finding where a benchmark's
 * time goes (each benchmark's {@code bench.jfr=true}); off by default, because the recording costs CPU too.
 */
final class JfrProfile {

    private final Recording recording;

    /**
     * The execution-sample period ({@code bench.jfr.period}, ms): the "profile" settings' 10 ms, or finer for a short
     * window (JFR samples a few threads per period, so a window of a few seconds gets only a hundred or so).
     */
    private static final long PERIOD_MS = Long.getLong("bench.jfr.period", 10);

    JfrProfile() throws IOException, java.text.ParseException {
        recording = new Recording(Configuration.getConfiguration("profile"));
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(PERIOD_MS));
    }

    void start() {
        recording.start();
    }

    void stop() {
        recording.stop();
    }

    /** Writes the recording to {@code file} and prints its tables. */
    void print(Path file) throws IOException {
        recording.dump(file);
        recording.close();
        hotMethods(file);
    }

    /** Self time (top frame) and inclusive time of our own code, from the recording's execution samples. */
    private static void hotMethods(Path jfr) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> byArea = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
                self.merge(frame(frames.get(0)), 1, Integer::sum);
            }
            Set<String> seen = new HashSet<>();
            Set<String> areas = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = frame(frame);
                if (name.startsWith("dev.appliancesync.") && seen.add(name)) {
                    ours.merge(name, 1, Integer::sum);
                }
                for (String[] area : AREAS) {
                    if (name.startsWith(area[0]) && areas.add(area[1])) {
                        byArea.merge(area[1], 1, Integer::sum);
                    }
                }
            }
            String thread = event.getThread("sampledThread") == null ? "?"
                    : String.valueOf(event.getThread("sampledThread").getJavaName()).replaceAll("\\d+", "#");
            byThread.merge(thread, 1, Integer::sum);
        }
        System.out.printf("JFR execution samples in the window: %,d (%s)%n%n", samples, jfr);
        table("hottest methods (self)", self, samples, 20);
        table("area (inclusive: anywhere on the stack; areas overlap)", byArea, samples, 20);
        table("our code (inclusive: on the stack)", ours, samples, 15);
        table("sampled threads", byThread, samples, 10);
    }

    /** Stack-frame prefixes → what they are, for the inclusive profile. */
    private static final String[][] AREAS = {
            { "dev.appliancesync.ingest.", "ours: ingest (parse, apply batch)" },
            { "dev.appliancesync.state.", "ours: state (upsert, GraphQL ApplianceState)" },
            { "dev.appliancesync.realtime.", "ours: realtime (change log, feed, live delivery)" },
            { "dev.appliancesync.access.", "ours: access (Cedar decisions)" },
            { "dev.appliancesync.sharing.", "ours: sharing (share, revoke, invite)" },
            { "dev.appliancesync.identity.", "ours: identity (sign-in)" },
            { "dev.appliancesync.cloud.", "ours: cloud (IoT policy compile, outbox, reconciler)" },
            { "com.cedarpolicy.", "cedar-java (native engine, JSON)" },
            { "graphql.", "graphql-java (executing subscription selections)" },
            { "io.smallrye.graphql.", "SmallRye GraphQL" },
            { "io.vertx.pgclient.", "Vert.x PostgreSQL client" },
            { "io.vertx.sqlclient.", "Vert.x SQL client" },
            { "io.vertx.mqtt.", "Vert.x MQTT client" },
            { "io.smallrye.reactive.messaging.", "SmallRye Reactive Messaging" },
            { "com.hivemq.", "HiveMQ (embedded broker)" },
            { "com.fasterxml.jackson.", "Jackson (JSON)" },
            { "io.vertx.core.json.", "Vert.x JSON" },
            { "io.vertx.core.http.", "Vert.x HTTP / WebSocket" },
            { "io.smallrye.mutiny.", "Mutiny" },
            { "io.smallrye.context.", "SmallRye context propagation" },
            { "io.quarkus.arc.", "ArC (CDI)" },
            { "io.micrometer.", "Micrometer" },
            { "io.netty.", "Netty" },
            { "java.util.regex.", "regex" },
    };

    private static String frame(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void table(String title, Map<String, Integer> counts, int samples, int limit) {
        System.out.printf("| %s | samples | share |%n| --- | --- | --- |%n", title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer> comparingByValue().reversed()).limit(limit)
                .forEach(e -> System.out.printf("| `%s` | %,d | %.1f %% |%n", e.getKey(), e.getValue(),
                        100.0 * e.getValue() / Math.max(1, samples)));
        System.out.println();
    }

}
