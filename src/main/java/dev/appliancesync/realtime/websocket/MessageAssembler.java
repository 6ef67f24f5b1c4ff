package dev.appliancesync.realtime.websocket;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * Joins a connection's text frames into messages, refusing one over the size limit as soon as its frames pass it.
 * Vert.x's own joining drops an oversized message without a word and keeps reading the socket; the protocols here
 * know no binary messages.
 */
final class MessageAssembler {

    /** What becomes of the frames. */
    interface Listener {
        void message(String text);

        void tooBig();

        void binary();
    }

    private final int maxBytes;
    private final Listener listener;
    /** The fragments of the text message under way, or null between messages. */
    private Buffer partial;
    /** Set once a message was refused: the connection is closing and what follows is not read. */
    private boolean refused;

    MessageAssembler(int maxBytes, Listener listener) {
        this.maxBytes = maxBytes;
        this.listener = listener;
    }

    void frame(WebSocketFrame frame) {
        if (refused || frame.isClose() || frame.isPing() || !(frame.isText() || frame.isBinary()
                || frame.isContinuation())) {
            return; // control frames are Vert.x's to answer
        }
        if (frame.isBinary() || (frame.isContinuation() && partial == null)) {
            // A continuation with no text message under way continues a binary one (Netty checks the order).
            refused = true;
            listener.binary();
            return;
        }
        Buffer data = frame.binaryData();
        int held = partial == null ? 0 : partial.length();
        if (held + data.length() > maxBytes) {
            refused = true;
            partial = null;
            listener.tooBig();
            return;
        }
        if (frame.isFinal()) {
            String text = partial == null ? data.toString() : partial.appendBuffer(data).toString();
            partial = null;
            listener.message(text);
        } else {
            partial = partial == null ? Buffer.buffer(Math.min(maxBytes, 2 * data.length())).appendBuffer(data)
                    : partial.appendBuffer(data);
        }
    }
}
