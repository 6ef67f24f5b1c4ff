package dev.appliancesync.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Consumer;

import io.vertx.core.json.JsonObject;

/**
 * A device as IoT Core lets it be: connected with client id = its thing name, and every topic it publishes on or
 * subscribes to checked against its device policy ({@link #POLICY}) before it reaches the broker. A topic the policy
 * does not grant throws {@link PolicyDenied}, as IoT Core refuses it (it disconnects the client), so a test can show
 * that what a rogue device would need is impossible under the policy, and that a well-behaved one needs nothing else.
 * <p>
 * Subscribed to its commands from the start ({@link #commands()}), as the command contract asks.
 */
public final class PolicyBoundDevice implements DeviceLink, AutoCloseable {

    /** What a device policy grants the device connected as {@code thingName}. */
    public interface DevicePolicy {

        boolean mayPublish(String thingName, String topic);

        boolean maySubscribe(String thingName, String topicFilter);
    }

    /** IoT Core refused the request: the device policy does not grant it. */
    public static final class PolicyDenied extends RuntimeException {
        PolicyDenied(String thingName, String what, String topic) {
            super("The device policy does not let thing " + thingName + " " + what + " " + topic);
        }
    }

    /**
     * The device's own topics, as the shipped device policy grants them with T = {@code ${iot:Connection.Thing.ThingName}}
     * (deploy/aws/device-iot-policy.json, issue 15's design section 3): publish {@code appliances/T/state|events|
     * provisioned|command-results} and T's shadow update (spelled {@code aws/...} in tests, see application.properties);
     * subscribe {@code appliances/T/commands}. Nothing of another thing, nothing under {@code view/}.
     */
    static final DevicePolicy OWN_TOPICS = new DevicePolicy() {
        @Override
        public boolean mayPublish(String thingName, String topic) {
            String own = "appliances/" + thingName + "/";
            return Set.of(own + "state", own + "events", own + "provisioned", own + "command-results",
                    "aws/things/" + thingName + "/shadow/update").contains(topic);
        }

        @Override
        public boolean maySubscribe(String thingName, String topicFilter) {
            return topicFilter.equals("appliances/" + thingName + "/commands");
        }
    };

    /**
     * MERGE HOOK (issue 15): the one place the device policy is decided. Until the policy part's in-process evaluator
     * understands {@code ${iot:Connection.Thing.ThingName}}, it is the explicit list above; at merge, replace it with an
     * evaluation of deploy/aws/device-iot-policy.json for client id = thing name (map the tests' {@code aws/} spelling
     * back to IoT Core's {@code $aws/} first), and every test using this class then runs under the shipped policy.
     */
    static final DevicePolicy POLICY = OWN_TOPICS;

    private final String thingName;
    private final MqttDevice connection;
    private final CommandDevice commands;

    private PolicyBoundDevice(String thingName) throws Exception {
        this.thingName = thingName;
        this.connection = MqttDevice.connectToEmbeddedBroker(thingName);
        try {
            this.commands = CommandDevice.subscribedOver(this, thingName);
        } catch (Exception | Error e) {
            connection.close();
            throw e;
        }
    }

    /** Connected to the embedded broker as {@code thingName} and subscribed to its commands (SUBACK received). */
    public static PolicyBoundDevice connect(String thingName) throws Exception {
        return new PolicyBoundDevice(thingName);
    }

    public String thingName() {
        return thingName;
    }

    /** Its commands: what reached it, and its answers on its own results topic. */
    public CommandDevice commands() {
        return commands;
    }

    @Override
    public void subscribe(String topicFilter, Consumer<byte[]> handler) throws Exception {
        if (!POLICY.maySubscribe(thingName, topicFilter)) {
            throw new PolicyDenied(thingName, "subscribe to", topicFilter);
        }
        connection.subscribe(topicFilter, handler);
    }

    @Override
    public void publish(String topic, String payload) throws Exception {
        if (!POLICY.mayPublish(thingName, topic)) {
            throw new PolicyDenied(thingName, "publish on", topic);
        }
        connection.publish(topic, payload);
    }

    /**
     * Announces an appliance on its own {@code provisioned} topic: itself when {@code serialNumber} is its thing name;
     * {@code firmwareVersion} is not part of a registration, so tests may use it to find the message again.
     */
    public void announce(String serialNumber, String type, String claimCode, String firmwareVersion) throws Exception {
        publish("appliances/" + thingName + "/provisioned", new JsonObject().put("serialNumber", serialNumber)
                .put("type", type).put("firmwareVersion", firmwareVersion).put("claimCodeHash", claimCodeHash(claimCode))
                .encode());
    }

    /** Reports state on its telemetry topic ({"version", "reported", "timestamp"}). */
    public void report(long version, JsonObject reported) throws Exception {
        publish("appliances/" + thingName + "/state", new JsonObject().put("version", version).put("reported", reported)
                .put("timestamp", System.currentTimeMillis() / 1000).encode());
    }

    /** The SHA-256 of a claim code, lower-case hex, as a device sends it (the service hashes the stripped code). */
    public static String claimCodeHash(String claimCode) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(claimCode.strip().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
