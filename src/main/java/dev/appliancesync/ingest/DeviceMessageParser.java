package dev.appliancesync.ingest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.common.graphql.SafeLong;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Turns an MQTT message into a {@link DeviceMessage}, or a {@link RejectedMessage} saying why not. Pure: no I/O, so a batch
 * is parsed before its transaction starts.
 */
@ApplicationScoped
public class DeviceMessageParser {

    private static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    private static final Pattern SHADOW_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,64}");
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final BigInteger MAX_VERSION = BigInteger.valueOf(SafeLong.MAX);

    private enum Kind {
        SHADOW, NAMED_SHADOW, TELEMETRY, CONNECTED, DISCONNECTED, PROVISIONED, EVENTS
    }

    private record Route(Kind kind, String[] filter) {
    }

    private final List<Route> routes;
    private final int maxPayloadBytes;

    public DeviceMessageParser(IngestConfig config) {
        IngestConfig.Topics topics = config.topics();
        this.routes = List.of(route(Kind.SHADOW, topics.shadow()), route(Kind.NAMED_SHADOW, topics.namedShadow()),
                route(Kind.TELEMETRY, topics.telemetry()), route(Kind.CONNECTED, topics.connected()),
                route(Kind.DISCONNECTED, topics.disconnected()), route(Kind.PROVISIONED, topics.provisioned()),
                route(Kind.EVENTS, topics.events()));
        this.maxPayloadBytes = config.maxPayloadBytes();
    }

    private static Route route(Kind kind, String filter) {
        return new Route(kind, filter.split("/", -1));
    }

    /** The message, or throws {@link RejectedMessage}. */
    public DeviceMessage parse(String topic, byte[] payload) {
        if (payload.length > maxPayloadBytes) {
            throw new RejectedMessage("TOO_LARGE", payload.length + " bytes; at most " + maxPayloadBytes);
        }
        String[] levels = topic.split("/", -1);
        for (Route route : routes) {
            String[] wildcards = match(route.filter(), levels);
            if (wildcards != null) {
                String thing = wildcards[0];
                if (thing == null || !THING_NAME.matcher(thing).matches()) {
                    throw new RejectedMessage("BAD_TOPIC", "Not a thing name in " + topic);
                }
                return parse(route.kind(), thing, wildcards[1], json(payload));
            }
        }
        throw new RejectedMessage("BAD_TOPIC", "No device topic: " + topic);
    }

    private DeviceMessage parse(Kind kind, String thing, String shadow, JsonObject json) {
        try {
            return switch (kind) {
                case SHADOW -> shadowDocument(thing, "", json);
                case NAMED_SHADOW -> {
                    if (shadow == null || !SHADOW_NAME.matcher(shadow).matches()) {
                        throw new RejectedMessage("BAD_TOPIC", "Not a shadow name: " + shadow);
                    }
                    yield shadowDocument(thing, shadow, json);
                }
                case TELEMETRY -> new DeviceMessage.State(thing, DeviceMessage.State.TELEMETRY,
                        required(json.getJsonObject("reported"), "reported"), new JsonObject(),
                        version(json.getValue("version")), EpochUnit.SECONDS.read(json.getValue("timestamp"),
                                "timestamp"));
                case CONNECTED, DISCONNECTED -> new DeviceMessage.Presence(thing, kind == Kind.CONNECTED,
                        required(EpochUnit.MILLISECONDS.read(json.getValue("timestamp"), "timestamp"),
                                "timestamp"));
                case PROVISIONED -> provisioned(thing, json);
                case EVENTS -> event(thing, json);
            };
        } catch (ClassCastException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new RejectedMessage("WRONG_SHAPE", e.getMessage());
        }
    }

    /** IoT Core's update/documents: {"previous", "current": {"state": {"reported", "desired"}, "version"}, "timestamp"}. */
    private static DeviceMessage.State shadowDocument(String thing, String shadow, JsonObject document) {
        JsonObject current = required(document.getJsonObject("current"), "current");
        JsonObject state = required(current.getJsonObject("state"), "current.state");
        JsonObject reported = state.getJsonObject("reported");
        JsonObject desired = state.getJsonObject("desired");
        return new DeviceMessage.State(thing, shadow, reported == null ? new JsonObject() : reported,
                desired == null ? new JsonObject() : desired, version(current.getValue("version")),
                EpochUnit.SECONDS.read(document.getValue("timestamp"), "timestamp"));
    }

    private static DeviceMessage.Provisioned provisioned(String thing, JsonObject json) {
        String serial = required(json.getString("serialNumber"), "serialNumber");
        String type = required(json.getString("type"), "type");
        try {
            ApplianceType.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new RejectedMessage("WRONG_SHAPE", "Unknown appliance type " + type);
        }
        String hash = required(json.getString("claimCodeHash"), "claimCodeHash");
        if (!HASH.matcher(hash).matches()) {
            throw new RejectedMessage("WRONG_SHAPE", "claimCodeHash must be 64 lower-case hex digits (SHA-256)");
        }
        return new DeviceMessage.Provisioned(thing, serial, type, json.getString("firmwareVersion"), hash);
    }

    private static DeviceMessage.Event event(String thing, JsonObject json) {
        String eventId = required(json.getString("eventId"), "eventId");
        if (eventId.isEmpty() || eventId.length() > 128) {
            throw new RejectedMessage("WRONG_SHAPE", "eventId must be 1 to 128 characters");
        }
        String type = required(json.getString("type"), "type");
        if (!EVENT_TYPE.matcher(type).matches()) {
            throw new RejectedMessage("WRONG_SHAPE", "type must be UPPER_SNAKE_CASE");
        }
        Object at = json.getValue("occurredAt");
        OffsetDateTime occurredAt = at instanceof String text ? EpochUnit.plausible(OffsetDateTime.parse(text),
                "occurredAt") : EpochUnit.MILLISECONDS.read(at, "occurredAt");
        JsonObject details = json.getJsonObject("details");
        return new DeviceMessage.Event(thing, eventId, type, occurredAt, details == null ? new JsonObject() : details);
    }

    /** The wildcards a topic fills in a filter (thing, then shadow), or null if it does not match. */
    private static String[] match(String[] filter, String[] levels) {
        String[] wildcards = new String[2];
        int captured = 0;
        for (int i = 0; i < filter.length; i++) {
            if (filter[i].equals("#")) {
                return wildcards;
            }
            if (i >= levels.length) {
                return null;
            }
            if (filter[i].equals("+")) {
                if (captured < 2) {
                    wildcards[captured++] = levels[i];
                }
            } else if (!filter[i].equals(levels[i])) {
                return null;
            }
        }
        return filter.length == levels.length ? wildcards : null;
    }

    private static JsonObject json(byte[] payload) {
        try {
            return new JsonObject(new String(payload, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw new RejectedMessage("INVALID_JSON", "Not a JSON object");
        }
    }

    /**
     * Versions are 64-bit on devices (IoT Core's shadow versions; devices without a shadow often use the epoch
     * milliseconds), and stored as such; past 2^53 − 1 no JavaScript client could show one exactly, so those are
     * refused (OUT_OF_RANGE) rather than stored.
     */
    private static long version(Object value) {
        BigInteger whole = switch (value) {
            case Integer i -> BigInteger.valueOf(i);
            case Long l -> BigInteger.valueOf(l);
            case BigInteger big -> big;
            case Double d when Double.isFinite(d) && d == Math.rint(d) -> BigDecimal.valueOf(d).toBigInteger();
            case null, default -> null;
        };
        if (whole == null || whole.signum() < 0) {
            throw new RejectedMessage("WRONG_SHAPE", "version must be a non-negative integer");
        }
        if (whole.compareTo(MAX_VERSION) > 0) {
            throw new RejectedMessage("OUT_OF_RANGE", "version " + whole + " is over " + SafeLong.MAX
                    + " (2^53 - 1), the largest an app can show exactly");
        }
        return whole.longValue();
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new RejectedMessage("WRONG_SHAPE", field + " is required");
        }
        return value;
    }
}
