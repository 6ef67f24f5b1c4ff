package dev.appliancesync.realtime.appsync;

import java.util.List;

import dev.appliancesync.common.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * AppSync's realtime message set, as the server sends it. Errors take AppSync's shape ({@code payload.errors[]} with
 * {@code errorType} and {@code message}); the errorType is our stable {@code extensions.code}, which stays in
 * {@code extensions} too.
 */
final class AppSyncMessages {

    static final String KEEP_ALIVE = new JsonObject().put("type", "ka").encode();

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
