package dev.appliancesync.cloud.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.appliancesync.deploy.DeployFiles;
import dev.appliancesync.support.TestSize;

/**
 * Property: the device IoT policy operators deploy (deploy/aws/device-iot-policy.json, read from there, filled in for
 * a deployment as the CloudFormation template does) lets a device connected as thing A do exactly what a device may
 * do, as an independent model says it: connect only as A with a certificate attached to A; publish only A's shadow
 * topics (classic and named) and A's state, events, provisioned and command-results; subscribe to and receive only
 * A's shadow topics and A's commands. Nothing of another thing, nothing under {@code view/}, no jobs, tunnels or
 * defender topics, no retained publish. Asked for random things with look-alike names over every topic and filter a
 * device can name. Reproduce a failure with {@code -Dproperty.seed=<base seed>}.
 */
class DevicePolicyPropertyTest {

    /** Worlds a run tries: a CI number, the full one under -Pbenchmarks (TestSize). */
    private static final int WORLDS = TestSize.ciOrFull(70, 200);
    /** Decisions checked at least, per 200 worlds: the questions are not running dry. */
    private static final long DECISIONS_PER_200_WORLDS = 1_000_000;
    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "123456789012";
    private static final String ARN = "arn:aws:iot:" + REGION + ":" + ACCOUNT + ":";
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-";
    private static final List<String> ACTIONS = List.of("iot:Connect", "iot:Publish", "iot:RetainPublish",
            "iot:Subscribe", "iot:Receive");
    private static final List<String> REPORTS = List.of("state", "events", "provisioned", "command-results");

    private final IotPolicySet devicePolicy = new IotPolicyEvaluator().prepare("device", PolicyTemplate.render(
            DeployFiles.read(DeployFiles.DEVICE_POLICY), new PolicyTarget(REGION, ACCOUNT, "p-"),
            DeployFiles.DEVICE_POLICY.toString()));

    @Test
    void aDeviceMayDoExactlyWhatTheModelSaysForItsOwnThingAndNothingForAnother() {
        long base = Long.getLong("property.seed", System.nanoTime());
        System.out.println("DevicePolicyPropertyTest base seed: " + base + " (rerun with -Dproperty.seed=" + base
                + ")");
        Random seeds = new Random(base);
        long decisions = 0;
        long allowed = 0;
        long over = 0;
        long under = 0;
        long wildcardFilters = 0;
        long leaks = 0;
        String first = null;
        for (int world = 0; world < WORLDS; world++) {
            long seed = seeds.nextLong();
            Random random = new Random(seed);
            List<String> things = things(random);
            List<String> names = lookAlikes(things);
            List<String> probes = probes(names);
            List<String> published = published(names);
            for (String thing : things) {
                IotConnection.Thing device = IotConnection.Thing.of(thing);
                for (String probe : probes) {
                    for (String action : ACTIONS) {
                        for (String type : List.of("topic/", "topicfilter/")) {
                            boolean expected = DeviceModel.allows(thing, action, type + probe);
                            boolean actual = devicePolicy.decide(action, ARN + type + probe, device).allowed();
                            decisions++;
                            allowed += actual ? 1 : 0;
                            if (actual != expected) {
                                over += actual ? 1 : 0;
                                under += actual ? 0 : 1;
                                first = first != null ? first : "[seed " + seed + "] " + thing + " " + action + " "
                                        + type + probe + ": expected " + expected;
                            }
                        }
                    }
                    if (probe.matches(".*[+#].*") && devicePolicy.decide("iot:Subscribe", ARN + "topicfilter/" + probe,
                            device).allowed()) {
                        wildcardFilters++;
                        Pattern reach = lenientMqttFilter(probe);
                        for (String topic : published) {
                            if (reach.matcher(topic).matches() && !DeviceModel.allows(thing, "iot:Receive",
                                    "topic/" + topic)) {
                                leaks++;
                                first = first != null ? first : thing + " filter " + probe + " reaches " + topic;
                            }
                        }
                    }
                }
                // Connect: each client id on a connection whose certificate is attached to this thing only.
                for (String client : names) {
                    IotConnection.Thing connection = new IotConnection.Thing(client, Set.of(thing));
                    boolean expected = client.equals(thing);
                    boolean actual = devicePolicy.decide("iot:Connect", ARN + "client/" + client, connection).allowed();
                    decisions++;
                    if (actual != expected) {
                        over += actual ? 1 : 0;
                        under += actual ? 0 : 1;
                        first = first != null ? first : "[seed " + seed + "] certificate of " + thing
                                + " connecting as " + client + ": expected " + expected;
                    }
                }
            }
        }
        System.out.printf("DevicePolicyPropertyTest: %d worlds, %d decisions (%d allowed), %d over-grants, %d "
                + "under-grants, %d allowed wildcard filters, %d reach another thing's or a non-device topic%n", WORLDS,
                decisions, allowed, over, under, wildcardFilters, leaks);
        assertThat(decisions).isGreaterThan(DECISIONS_PER_200_WORLDS * WORLDS / 200);
        assertThat(allowed).as("allowed decisions").isGreaterThan(decisions / 200);
        assertThat(wildcardFilters).as("allowed wildcard filters").isPositive();
        assertThat(over).as("over-grants; first: " + first).isZero();
        assertThat(under).as("under-grants; first: " + first).isZero();
        assertThat(leaks).as("filter leaks; first: " + first).isZero();
    }

    @Test
    void noDeviceSpeaksForAnotherThing() {
        IotConnection.Thing a = IotConnection.Thing.of("SN-0001");
        for (String other : List.of("SN-0002", "SN-00010", "SN-000", "sn-0001")) {
            for (String topic : List.of("appliances/B/provisioned", "appliances/B/events",
                    "appliances/B/command-results", "appliances/B/state", "$aws/things/B/shadow/update", "$aws/things/B/shadow/name/n/update")) {
                String resource = ARN + "topic/" + topic.replace("B", other);
                assertThat(devicePolicy.decide("iot:Publish", resource, a).allowed()).as(resource).isFalse();
            }
            assertThat(devicePolicy.decide("iot:Subscribe", ARN + "topicfilter/appliances/" + other + "/commands", a)
                    .allowed()).isFalse();
            assertThat(devicePolicy.decide("iot:Connect", ARN + "client/" + other,
                    new IotConnection.Thing(other, Set.of("SN-0001"))).allowed()).as("connect as " + other).isFalse();
        }
        for (String view : List.of("view/things/SN-0001/status", "view/things/SN-0001/settings",
                "view/households/abcdefgh/status/SN-0001", "view/#")) {
            for (String action : ACTIONS) {
                assertThat(devicePolicy.decide(action, ARN + "topic/" + view, a).allowed()).as(action + " " + view)
                        .isFalse();
                assertThat(devicePolicy.decide(action, ARN + "topicfilter/" + view, a).allowed())
                        .as(action + " " + view).isFalse();
            }
        }
        // A certificate attached to no thing gets nothing, not even its own topics.
        IotConnection.Thing unattached = new IotConnection.Thing("SN-0001", Set.of());
        assertThat(devicePolicy.decide("iot:Connect", ARN + "client/SN-0001", unattached).allowed()).isFalse();
        assertThat(devicePolicy.decide("iot:Publish", ARN + "topic/appliances/SN-0001/state", unattached).allowed())
                .isFalse();
        // Its own topics, for contrast: the policy is not simply shut.
        assertThat(devicePolicy.decide("iot:Connect", ARN + "client/SN-0001", a).allowed()).isTrue();
        assertThat(devicePolicy.decide("iot:Publish", ARN + "topic/appliances/SN-0001/provisioned", a).allowed())
                .isTrue();
        assertThat(devicePolicy.decide("iot:Publish", ARN + "topic/$aws/things/SN-0001/shadow/update", a).allowed())
                .isTrue();
    }

    /** What a device connected as its thing may do, with string operations only (docs/cloud-access.md). */
    static final class DeviceModel {

        static boolean allows(String thing, String action, String resource) {
            String shadows = "$aws/things/" + thing + "/shadow/";
            return switch (action) {
                case "iot:Connect" -> resource.equals("client/" + thing);
                case "iot:Publish" -> resource.startsWith("topic/") && (resource.startsWith("topic/" + shadows)
                        || REPORTS.stream().anyMatch(r -> resource.equals("topic/appliances/" + thing + "/" + r)));
                case "iot:Subscribe" -> resource.startsWith("topicfilter/" + shadows)
                        || resource.equals("topicfilter/appliances/" + thing + "/commands");
                case "iot:Receive" -> resource.startsWith("topic/" + shadows)
                        || resource.equals("topic/appliances/" + thing + "/commands");
                default -> false; // RetainPublish: devices do not retain.
            };
        }
    }

    private static List<String> things(Random random) {
        Set<String> things = new LinkedHashSet<>();
        String first = randomName(random, 1 + random.nextInt(12));
        things.add(first);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            List<String> taken = List.copyOf(things);
            String existing = taken.get(random.nextInt(taken.size()));
            things.add(switch (random.nextInt(4)) {
                case 0 -> existing + randomName(random, 1);
                case 1 -> existing.length() > 1 ? existing.substring(0, existing.length() - 1) : existing + "-";
                case 2 -> existing + "-shadow";
                default -> randomName(random, 1 + random.nextInt(12));
            });
        }
        return List.copyOf(things);
    }

    private static List<String> lookAlikes(List<String> things) {
        Set<String> names = new LinkedHashSet<>(things);
        for (String thing : things) {
            names.add(thing + "x");
            names.add(thing.toUpperCase(Locale.ROOT));
            names.add(thing.toLowerCase(Locale.ROOT));
            if (thing.length() > 1) {
                names.add(thing.substring(0, thing.length() - 1));
            }
        }
        names.add("*");
        names.add("+");
        return List.copyOf(names);
    }

    private static List<String> probes(List<String> names) {
        List<String> probes = new ArrayList<>(List.of("#", "+/#", "+", "", "view/#", "appliances/#",
                "appliances/+/commands", "appliances/+/state", "$aws/#", "$aws/things/#", "$aws/things/+/shadow/update",
                "$aws/things/+/shadow/#", "$aws/events/#", "$aws/rules/r", "view/things/+/status",
                "view/households/+/status/#"));
        for (String name : names) {
            for (String shape : List.of("appliances/T/state", "appliances/T/events", "appliances/T/provisioned",
                    "appliances/T/command-results", "appliances/T/commands", "appliances/T/#", "appliances/T/+",
                    "appliances/T", "appliances/T/", "appliances/T/state/x", "appliances/T/x/state",
                    "appliances/T/commands/#", "$aws/things/T/shadow/update", "$aws/things/T/shadow/update/accepted",
                    "$aws/things/T/shadow/update/delta", "$aws/things/T/shadow/get", "$aws/things/T/shadow/delete",
                    "$aws/things/T/shadow/name/n1/update", "$aws/things/T/shadow/name/n1/get/accepted",
                    "$aws/things/T/shadow/#", "$aws/things/T/shadow/+/accepted", "$aws/things/T/shadow",
                    "$aws/things/T/shadowx/update", "$aws/things/T/jobs/notify-next", "$aws/things/T/jobs/get",
                    "$aws/things/T/jobs/j1/update", "$aws/things/T/tunnels/notify",
                    "$aws/things/T/defender/metrics/json", "$aws/things/T/#", "$aws/events/presence/connected/T",
                    "view/things/T/status", "view/things/T/settings", "view/households/abcdefgh/status/T",
                    "view/households/abcdefgh/settings/T", "$share/g/appliances/T/commands")) {
                probes.add(shape.replace("T", name));
            }
        }
        return probes;
    }

    private static List<String> published(List<String> names) {
        List<String> topics = new ArrayList<>();
        for (String name : names) {
            for (String shape : List.of("appliances/T/commands", "appliances/T/state", "appliances/T/events",
                    "$aws/things/T/shadow/update/accepted", "$aws/things/T/shadow/name/n1/update/delta",
                    "$aws/things/T/jobs/notify-next", "$aws/things/T/tunnels/notify", "view/things/T/status",
                    "view/households/abcdefgh/settings/T")) {
                topics.add(shape.replace("T", name));
            }
        }
        return topics;
    }

    private static Pattern lenientMqttFilter(String filter) {
        StringBuilder regex = new StringBuilder();
        for (char c : filter.toCharArray()) {
            regex.append(c == '+' ? "[^/]*" : c == '#' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(filter.endsWith("/#") ? "(?:" + regex + ")|" + Pattern.quote(filter.substring(0,
                filter.length() - 2)) : regex.toString());
    }

    private static String randomName(Random random, int length) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < length; i++) {
            name.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
        }
        return name.toString();
    }
}
