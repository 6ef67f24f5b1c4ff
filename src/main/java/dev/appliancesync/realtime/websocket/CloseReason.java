package dev.appliancesync.realtime.websocket;

import java.nio.charset.StandardCharsets;

/**
 * Close reasons fit the close frame: a control frame carries at most 125 bytes (RFC 6455 §5.5), two of them the code,
 * and clients treat a longer one as a broken connection (the ws library reports 1006, not the code we sent).
 */
final class CloseReason {

    /** The most UTF-8 bytes a close reason may have. */
    static final int MAX_BYTES = 123;

    private CloseReason() {
    }

    /** The reason as it is, or cut to {@link #MAX_BYTES} at a character boundary (never inside a UTF-8 sequence). */
    static String clamp(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_BYTES) {
            return reason;
        }
        int end = MAX_BYTES;
        // Back off continuation bytes (10xxxxxx) to the first byte of the character that does not fit.
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
