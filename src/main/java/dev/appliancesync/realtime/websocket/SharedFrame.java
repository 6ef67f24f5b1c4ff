package dev.appliancesync.realtime.websocket;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.buffer.Buffer;

/**
 * One item's payload as one selection renders it, and the data messages made of it, encoded once: every subscriber
 * of a group is written the same bytes. A message is the operation's prefix ({@code {"type":"next","id":"…",
 * "payload":}), this payload and a closing brace; subscribers whose clients chose the same operation id (one app's
 * code, so nearly all of a group) share one {@link Buffer}, written to each socket as it is (Vert.x's heap buffers
 * are never released by a write, so one can go to any number of sockets). Beyond {@value #PREFIXES} ids a message is
 * made per subscriber from the payload's bytes, which are still encoded only once.
 */
final class SharedFrame {

    /** The operation ids whose messages are kept; the rest are made when written. */
    private static final int PREFIXES = 4;

    private final String payload;
    private final byte[] encoded;
    private final ConcurrentHashMap<String, Buffer> messages = new ConcurrentHashMap<>(PREFIXES);

    SharedFrame(String payload) {
        this.payload = payload;
        this.encoded = payload.getBytes(StandardCharsets.UTF_8);
    }

    String payload() {
        return payload;
    }

    /** The whole data message after {@code prefix}, as UTF-8. */
    Buffer message(String prefix) {
        Buffer message = messages.get(prefix);
        if (message != null) {
            return message;
        }
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        message = Buffer.buffer(head.length + encoded.length + 1).appendBytes(head).appendBytes(encoded)
                .appendByte((byte) '}');
        if (messages.size() < PREFIXES) {
            Buffer first = messages.putIfAbsent(prefix, message);
            return first == null ? message : first;
        }
        return message;
    }
}
