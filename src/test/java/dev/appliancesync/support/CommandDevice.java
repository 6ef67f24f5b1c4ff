package dev.appliancesync.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonObject;

/**
 * A device as the command contract asks it to be: subscribed at QoS 1 to {@code appliances/{thingName}/commands}, it
 * gets every command at least once and acts on each {@code commandId} once ({@link #nextToAct}); every delivery,
 * duplicates included, is kept ({@link #deliveries}). It answers on {@code appliances/{thingName}/command-results}.
 */
public final class CommandDevice implements AutoCloseable {

    private final String thingName;
    private final DeviceLink link;
    /** What {@link #close} closes: the connection it opened itself, or nothing. */
    private final MqttDevice owned;
    private final List<JsonObject> deliveries = new CopyOnWriteArrayList<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<JsonObject> toAct = new LinkedBlockingQueue<>();

    private CommandDevice(DeviceLink link, MqttDevice owned, String thingName) throws Exception {
        this.thingName = thingName;
        this.link = link;
        this.owned = owned;
        link.subscribe("appliances/" + thingName + "/commands", this::delivered);
    }

    /** Connected and subscribed (SUBACK received): commands published from now on reach it. */
    public static CommandDevice subscribed(String host, int port, String thingName) throws Exception {
        MqttDevice connection = MqttDevice.connect(host, port);
        try {
            return new CommandDevice(connection, connection, thingName);
        } catch (Exception | Error e) {
            connection.close();
            throw e;
        }
    }

    /** Subscribed over a link someone else opened and closes (closing this leaves the link open). */
    public static CommandDevice subscribedOver(DeviceLink link, String thingName) throws Exception {
        return new CommandDevice(link, null, thingName);
    }

    private void delivered(byte[] payload) {
        JsonObject command = new JsonObject(new String(payload, StandardCharsets.UTF_8));
        deliveries.add(command);
        if (seen.add(command.getString("commandId"))) { // de-duplicated by commandId, as the contract asks
            toAct.add(command);
        }
    }

    /** The next command to act on (each commandId once), waiting at most {@code wait}; fails if none comes. */
    public JsonObject nextToAct(Duration wait) throws InterruptedException {
        JsonObject command = toAct.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (command == null) {
            throw new AssertionError("No command reached " + thingName + " within " + wait);
        }
        return command;
    }

    /** Every delivery so far, in order, duplicates included. */
    public List<JsonObject> deliveries() {
        return List.copyOf(deliveries);
    }

    /** How many times the command was delivered so far. */
    public long deliveriesOf(String commandId) {
        return deliveries.stream().filter(d -> commandId.equals(d.getString("commandId"))).count();
    }

    /** Answers at QoS 1 (returns on the broker's PUBACK); {@code result} and {@code error} may be null. */
    public void answer(String commandId, String status, JsonObject result, String error) throws Exception {
        JsonObject answer = new JsonObject().put("commandId", commandId).put("status", status);
        if (result != null) {
            answer.put("result", result);
        }
        if (error != null) {
            answer.put("error", error);
        }
        link.publish("appliances/" + thingName + "/command-results", answer.encode());
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
