package dev.appliancesync.realtime.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/** A payload is encoded once and the subscribers of one operation id are written the very same bytes. */
class SharedFrameTest {

    private static final String PAYLOAD = "{\"data\":{\"applianceState\":{\"name\":\"Küche \\\"2\\\" ✓\"}}}";

    @Test
    void subscribersWithTheSameOperationIdShareOneBufferOfTheWholeMessage() {
        SharedFrame frame = new SharedFrame(PAYLOAD);
        Buffer first = frame.message(prefix("1"));
        Buffer second = frame.message(prefix("1")); // an equal prefix, another String: another connection's
        assertThat(second).isSameAs(first);
        assertThat(first.getBytes()).isEqualTo((prefix("1") + PAYLOAD + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(frame.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void beyondTheKeptIdsEachMessageIsStillWhole() {
        SharedFrame frame = new SharedFrame(PAYLOAD);
        for (int id = 0; id < 4; id++) {
            assertThat(frame.message(prefix("op" + id))).isSameAs(frame.message(prefix("op" + id)));
        }
        Buffer fifth = frame.message(prefix("op4"));
        assertThat(frame.message(prefix("op4"))).as("not kept").isNotSameAs(fifth).isEqualTo(fifth);
        assertThat(fifth.toString(StandardCharsets.UTF_8)).isEqualTo(prefix("op4") + PAYLOAD + "}");
    }

    private static String prefix(String id) {
        return new String("{\"type\":\"next\",\"id\":\"" + id + "\",\"payload\":");
    }
}
