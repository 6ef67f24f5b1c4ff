package dev.appliancesync.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;

import dev.appliancesync.cloud.policy.IotConnection;
import dev.appliancesync.cloud.policy.IotPolicyEvaluator;
import dev.appliancesync.cloud.policy.IotPolicySet;
import dev.appliancesync.cloud.policy.PolicyTarget;
import dev.appliancesync.cloud.policy.PolicyTemplate;
import dev.appliancesync.deploy.DeployFiles;
import io.vertx.core.json.JsonObject;

/**
 * A device as IoT Core lets it be: connected with client id = its thing name, and every topic it publishes on or
 * subscribes to checked against the shipped device policy ({@link #SHIPPED_POLICY}) before it reaches the broker. A topic the policy
 * does not grant throws {@link PolicyDenied}, as IoT Core refuses it (it disconnects the client), so a test can show
 * that what a rogue device would need is impossible under the policy, and that a well-behaved one needs nothing else.
 * <p>
 * Subscribed to its commands from the start ({@link #commands()}), as the command contract asks.
 */
public final class PolicyBoundDevice implements DeviceLink, AutoCloseable {

    /** IoT Core refused the request: the device policy does not grant it. */
    public static final class PolicyDenied extends RuntimeException {
        PolicyDenied(String thingName, String what, String topic) {
            super("The device policy does not let thing " + thingName + " " + what + " " + topic);
        }
    }

    private static final PolicyTarget DEPLOYMENT = new PolicyTarget("eu-west-1", "123456789012", "p-");
    private static final String ARN = "arn:aws:iot:eu-west-1:123456789012:";
    /**
     * The device policy operators deploy (deploy/aws/device-iot-policy.json), evaluated as IoT Core does for a
     * certificate attached to this thing: the same file and evaluator DevicePolicyPropertyTest proves exact.
     */
    private static final IotPolicySet SHIPPED_POLICY = new IotPolicyEvaluator().prepare("device",
            PolicyTemplate.render(DeployFiles.read(DeployFiles.DEVICE_POLICY), DEPLOYMENT,
                    DeployFiles.DEVICE_POLICY.toString()));
    /** Dev mode and tests spell IoT Core's reserved topics without the '$' (the embedded broker refuses them). */
    private static final String TEST_SPELLING_OF_RESERVED = "aws/";

    private final String thingName;
    private final MqttDevice connection;
    private final CommandDevice commands;

    private PolicyBoundDevice(String thingName) throws Exception {
        this.thingName = thingName;
        if (!allowed("iot:Connect", "client/" + thingName)) {
            throw new PolicyDenied(thingName, "connect as", thingName);
        }
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
        if (!allowed("iot:Subscribe", "topicfilter/" + asIotCore(topicFilter))) {
            throw new PolicyDenied(thingName, "subscribe to", topicFilter);
        }
        connection.subscribe(topicFilter, handler);
    }

    @Override
    public void publish(String topic, String payload) throws Exception {
        if (!allowed("iot:Publish", "topic/" + asIotCore(topic))) {
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

    private boolean allowed(String action, String resource) {
        return SHIPPED_POLICY.decide(action, ARN + resource, IotConnection.Thing.of(thingName)).allowed();
    }

    private static String asIotCore(String topic) {
        return topic.startsWith(TEST_SPELLING_OF_RESERVED) ? "$" + topic : topic;
    }

    @Override
    public void close() {
        connection.close();
    }
}
