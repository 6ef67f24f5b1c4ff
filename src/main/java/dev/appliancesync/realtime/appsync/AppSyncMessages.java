package dev.appliancesync.realtime.appsync;

import java.util.List;

import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.realtime.websocket.LiveOperation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * AppSync's realtime message set, as the server sends it. Errors take AppSync's shape ({@code payload.errors[]} with
 * {@code errorType} and {@code message}); the errorType is our stable {@code extensions.code}, which stays in
 * {@code extensions} too.
 */
final class AppSyncMessages {

    static final String KEEP_ALIVE = new JsonObject().put("type", "ka").encode();

    /**
     * A subscription served on the multiplexed path: items as data messages, a failure (ACCESS_REVOKED...) as
     * AppSync's error, which ends the operation, exactly as {@link AppSyncOperation} answers SmallRye's.
     */
    static final LiveOperation.Framing LIVE = new LiveOperation.Framing() {
        @Override
        public String dataPrefix(String id) {
            return AppSyncMessages.dataPrefix(id);
        }

        @Override
        public List<String> ending(String id, String dataPrefix, String failure) {
            return List.of(failure == null ? complete(id)
                    : error(id, new JsonObject(failure).getJsonArray("errors", new JsonArray())));
        }
    };

    private AppSyncMessages() {
    }

    static String connectionAck(long connectionTimeoutMs) {
        return new JsonObject().put("type", "connection_ack")
                .put("payload", new JsonObject().put("connectionTimeoutMs", connectionTimeoutMs)).encode();
    }

    /** Refuses the connection; errorCode 401 is one Amplify does not retry. */
    static String connectionError(ErrorCode code, String message, int errorCode) {
        JsonObject error = graphqlError(code, message).put("errorCode", errorCode);
        return new JsonObject().put("type", "connection_error").put("payload", errorPayload(error)).encode();
    }

    static String startAck(String id) {
        return new JsonObject().put("type", "start_ack").put("id", id).encode();
    }

    /** {@code payload} is a GraphQL response ({@code data}, and {@code errors} for a partial result). */
    static String data(String id, JsonObject payload) {
        return new JsonObject().put("type", "data").put("id", id).put("payload", payload).encode();
    }

    /**
     * A data message whose payload is a GraphQL response as the engine writes it (SmallRye's
     * {@code ExecutionResponse}): written as it is, so that a subscription's data reads byte for byte the same on
     * SmallRye's path and the multiplexed one, which shares one rendering among its subscribers.
     */
    static String data(String id, String payload) {
        return dataPrefix(id) + payload + "}";
    }

    /** A data message up to its payload: {@code {"type":"data","id":"…","payload":}. */
    static String dataPrefix(String id) {
        String head = new JsonObject().put("type", "data").put("id", id).encode();
        return head.substring(0, head.length() - 1) + ",\"payload\":";
    }

    static String complete(String id) {
        return new JsonObject().put("type", "complete").put("id", id).encode();
    }

    /** An operation's errors (GraphQL errors as our engine writes them); {@code id} null for a message of no operation. */
    static String error(String id, JsonArray graphqlErrors) {
        JsonArray errors = new JsonArray();
        for (Object error : graphqlErrors) {
            errors.add(appSyncError(error instanceof JsonObject object ? object : new JsonObject()));
        }
        JsonObject message = new JsonObject().put("type", "error");
        if (id != null) {
            message.put("id", id);
        }
        return message.put("payload", new JsonObject().put("errors", errors)).encode();
    }

    static String error(String id, ErrorCode code, String message) {
        return error(id, new JsonArray(List.of(graphqlError(code, message))));
    }

    /** The payload of an error message made from one GraphQL error (the connection's own refusals use it too). */
    static JsonObject errorPayload(JsonObject graphqlError) {
        return new JsonObject().put("errors", new JsonArray(List.of(appSyncError(graphqlError))));
    }

    private static JsonObject graphqlError(ErrorCode code, String message) {
        return new JsonObject().put("message", message).put("extensions", new JsonObject().put("code", code.name()));
    }

    private static JsonObject appSyncError(JsonObject graphqlError) {
        JsonObject extensions = graphqlError.getJsonObject("extensions");
        String code = extensions == null ? null : extensions.getString("code");
        return graphqlError.copy().put("errorType", code == null ? ErrorCode.INTERNAL.name() : code);
    }
}
