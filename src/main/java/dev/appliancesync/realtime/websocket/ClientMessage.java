package dev.appliancesync.realtime.websocket;

import static io.smallrye.graphql.JsonProviderHolder.JSON_PROVIDER;

import java.io.StringReader;
import java.util.Set;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;

/**
 * A client message that has the shape its protocol defines, read before SmallRye sees it: SmallRye assumes the shape
 * and throws (leaving the socket open) or closes with its parser's internals as the reason. Read with SmallRye's own
 * JSON provider, so that what passes here parses there too.
 *
 * @param type the message type
 * @param id the operation id (subscribe, start, complete, stop), else null
 * @param request the GraphQL request, the payload (subscribe, start), else null: for the checks that run before
 *        SmallRye (parse, cost, rate)
 * @param text the message as SmallRye should see it: as sent, except that a null payload of connection_init, which
 *        the protocol allows and Quarkus's handler cannot cast, is left out
 * @param starts a subscribe (start) admitted as a new operation: acknowledged connection, id not in use, within the
 *        limits (see {@link GuardedConnection#admit}); the only kind another path than SmallRye's may serve
 */
record ClientMessage(String type, String id, io.vertx.core.json.JsonObject request, String text, boolean starts) {

    ClientMessage(String type, String id, io.vertx.core.json.JsonObject request, String text) {
        this(type, id, request, text, false);
    }

    /** The same message, admitted as a new operation. */
    ClientMessage starting() {
        return new ClientMessage(type, id, request, text, true);
    }

    /** A message the protocol does not allow; its text is the close reason, short and meant for people. */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final JsonReaderFactory READERS = JSON_PROVIDER.createReaderFactory(null);

    /** graphql-transport-ws: what a client may send (PROTOCOL.md of the graphql-ws library). */
    private static final Set<String> TRANSPORT_WS_TYPES = Set.of("connection_init", "ping", "pong", "subscribe",
            "complete");
    /** subscriptions-transport-ws (subprotocol graphql-ws): what a client may send. */
    private static final Set<String> LEGACY_TYPES = Set.of("connection_init", "start", "stop", "connection_terminate");

    static ClientMessage read(String text, boolean legacyProtocol) throws Invalid {
        JsonObject message = object(text);
        if (!(message.get("type") instanceof jakarta.json.JsonString typeValue)) {
            throw new Invalid("Message has no \"type\" string");
        }
        String type = typeValue.getString();
        if (!(legacyProtocol ? LEGACY_TYPES : TRANSPORT_WS_TYPES).contains(type)) {
            throw new Invalid("Unknown message type for a client");
        }
        return switch (type) {
            case "subscribe", "start" -> {
                String id = id(message, type);
                JsonObject payload = optionalObject(message, "payload", type);
                if (payload == null || !(payload.get("query") instanceof jakarta.json.JsonString)) {
                    throw new Invalid("The " + type + " payload must be an object with a \"query\" string");
                }
                optionalString(payload, "operationName", type);
                optionalObject(payload, "variables", type);
                optionalObject(payload, "extensions", type);
                yield new ClientMessage(type, id, new io.vertx.core.json.JsonObject(payload.toString()), text);
            }
            case "complete", "stop" -> new ClientMessage(type, id(message, type), null, text);
            default -> {
                boolean nullPayload = message.containsKey("payload")
                        && optionalObject(message, "payload", type) == null;
                yield new ClientMessage(type, null, null,
                        nullPayload ? JSON_PROVIDER.createObjectBuilder(message).remove("payload").build().toString()
                                : text);
            }
        };
    }

    private static JsonObject object(String text) throws Invalid {
        try (JsonReader reader = READERS.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value instanceof JsonObject object) {
                return object;
            }
        } catch (JsonException | IllegalStateException e) {
            throw new Invalid("Message is not valid JSON");
        }
        throw new Invalid("Message must be a JSON object");
    }

    private static String id(JsonObject message, String type) throws Invalid {
        if (message.get("id") instanceof jakarta.json.JsonString id && !id.getString().isEmpty()) {
            return id.getString();
        }
        throw new Invalid("The " + type + " message needs an \"id\" string");
    }

    /** The member if it is an object, null if absent or null; anything else is invalid. */
    private static JsonObject optionalObject(JsonObject message, String name, String type) throws Invalid {
        JsonValue value = message.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new Invalid("The " + type + " \"" + name + "\" must be an object");
    }

    private static void optionalString(JsonObject message, String name, String type) throws Invalid {
        JsonValue value = message.get(name);
        if (value != null && value.getValueType() != JsonValue.ValueType.NULL
                && value.getValueType() != JsonValue.ValueType.STRING) {
            throw new Invalid("The " + type + " \"" + name + "\" must be a string");
        }
    }
}
