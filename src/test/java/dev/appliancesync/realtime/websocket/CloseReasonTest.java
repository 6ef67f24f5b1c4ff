package dev.appliancesync.realtime.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Close reasons are cut to what a close frame carries, never inside a UTF-8 sequence. */
class CloseReasonTest {

    @Test
    void aShortReasonIsKeptAsItIs() {
        assertThat(CloseReason.clamp("Message must be a JSON object")).isEqualTo("Message must be a JSON object");
        assertThat(CloseReason.clamp(null)).isEmpty();
    }

    @Test
    void aReasonOfExactly123BytesIsKept() {
        String reason = "x".repeat(CloseReason.MAX_BYTES);
        assertThat(CloseReason.clamp(reason)).isEqualTo(reason);
    }

    @Test
    void aLongAsciiReasonIsCutTo123Bytes() {
        assertThat(CloseReason.clamp("x".repeat(141))).isEqualTo("x".repeat(CloseReason.MAX_BYTES));
    }

    @Test
    void aCutNeverSplitsACharacter() {
        // "a" then two-byte ü: byte 123 would fall inside one of them; three- and four-byte characters likewise.
        for (String character : new String[] { "ü", "€", "😀" }) {
            for (int prefix = 0; prefix < 4; prefix++) {
                String reason = "a".repeat(prefix) + character.repeat(100);
                String clamped = CloseReason.clamp(reason);
                byte[] utf8 = clamped.getBytes(StandardCharsets.UTF_8);
                assertThat(utf8.length).isLessThanOrEqualTo(CloseReason.MAX_BYTES)
                        .isGreaterThan(CloseReason.MAX_BYTES - character.getBytes(StandardCharsets.UTF_8).length);
                assertThat(reason).startsWith(clamped);
                assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(clamped).doesNotContain("\uFFFD");
            }
        }
    }
}
