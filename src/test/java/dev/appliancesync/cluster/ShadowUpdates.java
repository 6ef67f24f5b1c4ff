package dev.appliancesync.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

import dev.appliancesync.simulator.DeviceSimulator;
import dev.appliancesync.support.MqttDevice;
import io.vertx.core.json.JsonObject;

/**
 * A load of IoT Core shadow documents whose every message leaves a trace of its own, and what the database shows of
 * it. Device {@code d} sends updates {@code 1..perDevice} with shadow versions equal to their number: every tenth goes
 * to the classic shadow (so its stored version must end at the last one, {@code perDevice}), every other one to a named
 * shadow of its own, {@code m<n>} (so each of them is one row of {@code device_state}, and a row missing is a message
 * lost). Updates go out round-robin over the devices, so every device's updates span the whole load.
 */
final class ShadowUpdates {

    /** Every this many updates of a device, one goes to its classic shadow. */
    private static final int CLASSIC_EVERY = 10;

    private final String prefix;
    private final int devices;
    private final int perDevice;

    /** What the database holds of these updates: rows that prove a message was applied. */
    record Stored(int namedShadows, int expectedNamedShadows, int classicAtLast, int devices) {

        /** Named shadows missing, and classic shadows behind their last version. */
        int lost() {
            return expectedNamedShadows - namedShadows + devices - classicAtLast;
        }

        int applied() {
            return namedShadows + classicAtLast;
        }

        @Override
        public String toString() {
            return "%d of %d named shadows stored, %d of %d classic shadows at their last version: %d lost"
                    .formatted(namedShadows, expectedNamedShadows, classicAtLast, devices, lost());
        }
    }

    /**
     * @param prefix the devices' thing names are {@code <prefix>-00001} and on, so that each load has its own
     */
    ShadowUpdates(String prefix, int devices, int perDevice) {
        this.prefix = prefix;
        this.devices = devices;
        this.perDevice = perDevice;
    }

    int total() {
        return devices * perDevice;
    }

    List<String> things() {
        return IntStream.rangeClosed(1, devices).mapToObj(i -> DeviceSimulator.thingName(prefix, i)).toList();
    }

    /** Each device announcing itself (self-provisioning), so that its updates have an appliance to go to. */
    List<AtLeastOncePublisher.Message> announcements() {
        return things().stream().map(thing -> new AtLeastOncePublisher.Message("appliances/" + thing + "/provisioned",
                new JsonObject().put("serialNumber", thing).put("type", "FRIDGE").put("firmwareVersion", "1.0.0")
                        .put("claimCodeHash", DeviceSimulator.claimCodeHash(thing)).encode())).toList();
    }

    /** The updates, dealt out over {@code connections} (all of one device's over the same one, in order). */
    List<List<AtLeastOncePublisher.Message>> perConnection(int connections) {
        List<List<AtLeastOncePublisher.Message>> dealt = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            dealt.add(new ArrayList<>());
        }
        List<String> things = things();
        for (int update = 1; update <= perDevice; update++) {
            for (int device = 0; device < devices; device++) {
                dealt.get(device % connections).add(message(things.get(device), update));
            }
        }
        return dealt;
    }

    private static AtLeastOncePublisher.Message message(String thing, int update) {
        String topic = update % CLASSIC_EVERY == 0 ? "$aws/things/" + thing + "/shadow/update/documents"
                : "$aws/things/" + thing + "/shadow/name/" + namedShadow(update) + "/update/documents";
        return new AtLeastOncePublisher.Message(topic, MqttDevice.shadowDocument(update, status(update)));
    }

    private static String namedShadow(int update) {
        return "m" + update;
    }

    private static String status(int update) {
        return "update-" + update;
    }

    private int expectedNamedShadows() {
        return devices * (perDevice - perDevice / CLASSIC_EVERY);
    }

    private String thingPattern() {
        return prefix + "-%";
    }

    /** Appliances of these devices known to the service. */
    int provisioned(Connection db) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(
                "select count(*) from appliance where thing_name like ?")) {
            statement.setString(1, thingPattern());
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }

    /**
     * Counts the named shadows stored with the version and status of their own update, and the classic shadows at
     * the last update's version and status.
     */
    Stored stored(Connection db) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement("""
                select count(*) filter (where s.shadow_name <> '' and s.shadow_name = 'm' || s.shadow_version
                                          and s.reported ->> 'status' = 'update-' || s.shadow_version),
                       count(*) filter (where s.shadow_name = '' and s.shadow_version = ?
                                          and s.reported ->> 'status' = ?)
                from device_state s join appliance a on a.id = s.appliance_id
                where a.thing_name like ?""")) {
            statement.setLong(1, perDevice);
            statement.setString(2, status(perDevice));
            statement.setString(3, thingPattern());
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return new Stored(result.getInt(1), expectedNamedShadows(), result.getInt(2), devices);
            }
        }
    }

    /**
     * Where the lost ones are, for a failure message: dead letters of these devices by reason, and the first devices
     * with updates missing (which updates, and the classic shadow's stored version).
     */
    String whereTheyWent(Connection db) throws SQLException {
        Map<String, Integer> deadLetters = new LinkedHashMap<>();
        try (PreparedStatement statement = db.prepareStatement("select reason, count(*) from dead_letter "
                + "where topic like ? group by reason order by reason")) {
            statement.setString(1, "$aws/things/" + thingPattern());
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    deadLetters.put(result.getString(1), result.getInt(2));
                }
            }
        }
        Map<String, TreeSet<Integer>> missing = new LinkedHashMap<>();
        things().forEach(thing -> missing.put(thing, new TreeSet<>(IntStream.rangeClosed(1, perDevice)
                .filter(update -> update % CLASSIC_EVERY != 0).boxed().toList())));
        Map<String, Long> classic = new HashMap<>();
        try (PreparedStatement statement = db.prepareStatement("select a.thing_name, s.shadow_name, s.shadow_version "
                + "from device_state s join appliance a on a.id = s.appliance_id where a.thing_name like ?")) {
            statement.setString(1, thingPattern());
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    String thing = result.getString(1);
                    if (result.getString(2).isEmpty()) {
                        classic.put(thing, result.getLong(3));
                    } else if (missing.containsKey(thing)) {
                        missing.get(thing).remove((int) result.getLong(3));
                    }
                }
            }
        }
        StringBuilder text = new StringBuilder("dead letters of these devices by reason: ").append(deadLetters);
        long devicesMissing = missing.values().stream().filter(updates -> !updates.isEmpty()).count();
        text.append("; devices with named-shadow updates missing: ").append(devicesMissing).append(" of ").append(devices);
        missing.entrySet().stream().filter(entry -> !entry.getValue().isEmpty()).limit(5).forEach(entry -> text
                .append("; ").append(entry.getKey()).append(" misses updates ").append(entry.getValue())
                .append(" (classic shadow at version ").append(classic.get(entry.getKey())).append(')'));
        return text.toString();
    }
}
