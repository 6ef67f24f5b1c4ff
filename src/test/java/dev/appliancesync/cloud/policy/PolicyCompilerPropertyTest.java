package dev.appliancesync.cloud.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.TestSize;

/**
 * Property: for thousands of random worlds (households with look-alike prefixes, things with look-alike names, users
 * holding random household and appliance grants), AWS's answer (the identity-pool role with the compiled principal
 * tags AND the compiled IoT policies, both must allow) is exactly an independent model of what the API lets the user
 * see: no over-grant, no under-grant. Each gate is also held to its own model: the IoT policies alone to the same
 * model, the role gate alone to the coarse rule of the role policy (docs/cloud-access.md).
 *
 * <p>Questions: every action (Connect, Publish, RetainPublish, Subscribe, Receive) on every topic and filter an app can
 * name: the view topics of its own and other things and households and channels, odd shapes with extra or missing
 * levels, '+' and '#' at every level, the devices' topics ({@code appliances/T/...}, commands included) and the
 * reserved ones ({@code $aws/things/T/shadow/...} classic and named, jobs, tunnels, defender, presence events,
 * {@code $share/...}); every client id (its own with suffixes, exactly its identity id, another identity's, an
 * identity sharing a prefix); wrong regions, accounts and partitions; topics asked as filters and the other way round.
 * Every allowed filter with a wildcard is also matched, the MQTT way, against every topic the service publishes: it
 * may reach only topics the user may receive. Reproduce a failure with {@code -Dproperty.seed=<base seed>}.
 */
class PolicyCompilerPropertyTest {

    /** Worlds a run tries: a CI number, the full one under -Pbenchmarks (TestSize). */
    private static final int GRAPHS = TestSize.ciOrFull(100, 300);
    private static final int OVERFLOW_GRAPHS = TestSize.ciOrFull(50, 150);
    private static final int SHUFFLED_GRAPHS = TestSize.ciOrFull(100, 300);
    /** Decisions checked at least, per 300 worlds: the questions are not running dry. */
    private static final long DECISIONS_PER_300_GRAPHS = 1_000_000;

    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";
    private static final String ARN = "arn:aws:iot:" + REGION + ":" + ACCOUNT + ":";
    private static final PolicyTarget TARGET = new PolicyTarget(REGION, ACCOUNT, "appliance-sync-");
    private static final Pattern MQTT_WILDCARD = Pattern.compile("[+#]");

    /** The facts about names the database enforces, restated here rather than borrowed from the compiler. */
    private static final Pattern THING = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String NAME_CHARS = LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ:_-";
    private static final List<String> ACTIONS = List.of("iot:Connect", "iot:Publish", "iot:RetainPublish",
            "iot:Subscribe", "iot:Receive");

    private final IotPolicyCompiler compiler = new IotPolicyCompiler();
    private final CloudAccessCheck check = new CloudAccessCheck(new IotPolicyEvaluator(), IamRoleGate.forTarget(TARGET));

    // ------------------------------------------------------------------ the properties

    @Test
    void compiledAccessAnswersEveryQuestionAsTheModelDoes() {
        long base = Long.getLong("property.seed", System.nanoTime());
        System.out.println("PolicyCompilerPropertyTest base seed: " + base + " (rerun with -Dproperty.seed=" + base
                + ")");
        Random seeds = new Random(base);
        Tally tally = new Tally();
        for (int graph = 0; graph < GRAPHS; graph++) {
            long seed = seeds.nextLong();
            World world = World.random(new Random(seed));
            for (WorldUser user : world.users()) {
                checkUser(world, user, "[base seed " + base + ", graph " + graph + ", seed " + seed + ", user "
                        + user.grants().userId() + "]", tally);
            }
            tally.graphs++;
        }
        System.out.printf("PolicyCompilerPropertyTest: %d graphs, %d users, %d documents, %d decisions checked "
                + "(%d allowed), %d over-grants, %d under-grants (IoT policies alone: %d over, %d under; role gate "
                + "against its rule: %d over, %d under), %d allowed wildcard filters matched against %d published "
                + "topics, %d reach a topic the user may not receive%n",
                tally.graphs, tally.users, tally.documents, tally.decisions, tally.allowed, tally.overGrants,
                tally.underGrants, tally.iotOverGrants, tally.iotUnderGrants, tally.roleOverGrants,
                tally.roleUnderGrants, tally.wildcardFilters, tally.filtersReached, tally.filterLeaks);
        assertThat(tally.decisions).isGreaterThan(DECISIONS_PER_300_GRAPHS * GRAPHS / 300);
        assertThat(tally.allowed).as("allowed decisions").isGreaterThan(tally.decisions / 200);
        assertThat(tally.allowedHouseholdWildcards).as("allowed household wildcard filters").isPositive();
        assertThat(tally.allowedSecondConnections).as("allowed connections as <id>-phone and <id>-tablet")
                .isPositive();
        assertThat(tally.overGrants).as("over-grants; first: " + tally.firstMismatch).isZero();
        assertThat(tally.underGrants).as("under-grants; first: " + tally.firstMismatch).isZero();
        assertThat(tally.iotOverGrants + tally.iotUnderGrants).as("IoT policy mismatches; first: " + tally.firstMismatch)
                .isZero();
        assertThat(tally.roleOverGrants + tally.roleUnderGrants).as("role gate mismatches; first: "
                + tally.firstRoleMismatch).isZero();
        assertThat(tally.filterLeaks).as("filters reaching a topic the user may not receive; first: "
                + tally.firstLeak).isZero();
    }

    @Test
    void grantsBeyondTheQuotasThrowAndNeverCompileWider() {
        long base = Long.getLong("property.seed", System.nanoTime());
        System.out.println("PolicyCompilerPropertyTest overflow base seed: " + base);
        Random seeds = new Random(base);
        int thrown = 0;
        int compiled = 0;
        Tally tally = new Tally();
        for (int graph = 0; graph < OVERFLOW_GRAPHS; graph++) {
            long seed = seeds.nextLong();
            Random random = new Random(seed);
            String where = "[base seed " + base + ", overflow graph " + graph + ", seed " + seed + "]";
            World world = World.manyAppliances(random);
            WorldUser user = world.users().getFirst();
            if (minimumCharacters(user.model()) > IotQuotas.MAX_POLICIES_PER_IDENTITY * 2048) {
                QuotaExceededException e = catchThrowableOfType(QuotaExceededException.class,
                        () -> compiler.compile(user.grants(), TARGET));
                assertThat(e).as(where + " over the quotas, yet compiled").isNotNull();
                assertNamesTheLimit(e, where);
                thrown++;
                continue;
            }
            try {
                checkUser(world, user, where, tally);
                compiled++;
            } catch (QuotaExceededException e) {
                assertNamesTheLimit(e, where);
                thrown++;
            }
        }
        System.out.printf("PolicyCompilerPropertyTest overflow: %d graphs, %d over the quotas (thrown), %d compiled "
                + "and checked: %d decisions, %d over-grants, %d under-grants%n", OVERFLOW_GRAPHS, thrown, compiled,
                tally.decisions, tally.overGrants, tally.underGrants);
        assertThat(thrown).as("graphs over the quotas").isPositive();
        assertThat(compiled).as("graphs just within the quotas").isPositive();
        assertThat(tally.overGrants + tally.underGrants + tally.iotOverGrants + tally.iotUnderGrants
                + tally.roleOverGrants + tally.roleUnderGrants)
                .as("mismatches near the quotas; first: " + tally.firstMismatch + " / " + tally.firstRoleMismatch)
                .isZero();
    }

    @Test
    void documentsFillUpToTheSizeQuotaAndNeverPastIt() {
        long base = Long.getLong("property.seed", System.nanoTime());
        System.out.println("PolicyCompilerPropertyTest size base seed: " + base);
        Random seeds = new Random(base);
        long largest = 0;
        int documents = 0;
        for (int graph = 0; graph < OVERFLOW_GRAPHS; graph++) {
            long seed = seeds.nextLong();
            WorldUser user = World.manyAppliances(new Random(seed)).users().getFirst();
            List<CompiledPolicy> policies;
            try {
                policies = compiler.compile(user.grants(), TARGET).policies();
            } catch (QuotaExceededException e) {
                continue;
            }
            for (CompiledPolicy policy : policies) {
                long size = policy.document().codePoints().filter(c -> !Character.isWhitespace(c)).count();
                assertThat(size).as("[base seed " + base + ", graph " + graph + ", seed " + seed + "] "
                        + policy.name()).isLessThanOrEqualTo(2048);
                largest = Math.max(largest, size);
                documents++;
            }
        }
        System.out.printf("PolicyCompilerPropertyTest size: %d documents, the largest %d characters%n", documents,
                largest);
        assertThat(documents).isGreaterThan(OVERFLOW_GRAPHS);
        assertThat(largest).as("packing fills documents").isGreaterThan(1900);
    }

    @Test
    void theSameGrantsInAnyOrderCompileToIdenticalDocuments() {
        long base = Long.getLong("property.seed", System.nanoTime());
        System.out.println("PolicyCompilerPropertyTest shuffle base seed: " + base);
        Random seeds = new Random(base);
        int compared = 0;
        for (int graph = 0; graph < SHUFFLED_GRAPHS; graph++) {
            long seed = seeds.nextLong();
            Random random = new Random(seed);
            for (WorldUser user : World.random(random).users()) {
                CompiledAccess original = compiler.compile(user.grants(), TARGET);
                CompiledAccess shuffled = compiler.compile(shuffledAndSplit(user.grants(), random), TARGET);
                assertThat(shuffled).as("[base seed " + base + ", graph " + graph + ", seed " + seed + "]")
                        .isEqualTo(original);
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(SHUFFLED_GRAPHS);
    }

    // ------------------------------------------------------------------ checking one user

    private void checkUser(World world, WorldUser user, String where, Tally tally) {
        CompiledAccess access = compiler.compile(user.grants(), TARGET);
        tally.users++;
        tally.documents += access.policies().size();
        assertThat(access.policies().size()).as(where).isLessThanOrEqualTo(10);
        assertThat(access.policies().isEmpty()).as(where + " no grant, no policy").isEqualTo(!user.model().any());
        assertThat(access.principalTags()).as(where + " principal tags").isEqualTo(user.model().tags());
        for (CompiledPolicy policy : access.policies()) {
            long size = policy.document().codePoints().filter(c -> !Character.isWhitespace(c)).count();
            assertThat(size).as(where + " size of " + policy.name()).isLessThanOrEqualTo(2048);
            assertThat(policy.name()).as(where).matches("appliance-sync-" + Pattern.quote(user.grants().userId())
                    + "-[0-9]+");
        }
        CloudAccessCheck.UserAccess cloud = check.forUser(access);
        Map<String, String> variables = new IotConnection.CognitoIdentity(user.identityId(), null).variables();
        Question question = (action, arn, vars) -> {
            AccessExplanation answer = cloud.explain(action, arn, vars);
            tally.record(() -> where + " " + action + " " + arn + " " + vars, user.model().allows(action, arn, vars),
                    RoleModel.allows(access.principalTags(), action, arn, vars), answer);
            return answer.allowed();
        };
        for (String probe : world.probes()) {
            for (String action : ACTIONS) {
                question.ask(action, ARN + "topic/" + probe, variables);
                question.ask(action, ARN + "topicfilter/" + probe, variables);
            }
            if (MQTT_WILDCARD.matcher(probe).find() && question.ask("iot:Subscribe", ARN + "topicfilter/" + probe,
                    variables)) {
                checkReach(world, user, probe, where, tally);
                tally.allowedHouseholdWildcards += probe.startsWith("view/households/") ? 1 : 0;
            }
        }
        for (String thing : world.things()) {
            for (String other : List.of("arn:aws:iot:eu-west-1:" + ACCOUNT + ":", "arn:aws:iot:" + REGION
                    + ":210987654321:", "arn:aws-cn:iot:" + REGION + ":" + ACCOUNT + ":", "arn:aws:iam:" + REGION
                    + ":" + ACCOUNT + ":", "arn:aws:iot:" + REGION + ":" + ACCOUNT + "x:")) {
                question.ask("iot:Receive", other + "topic/view/things/" + thing + "/status", variables);
                question.ask("iot:Subscribe", other + "topicfilter/view/things/" + thing + "/settings", variables);
            }
        }
        for (String client : world.clientIds(user)) {
            boolean allowed = question.ask("iot:Connect", ARN + "client/" + client,
                    new IotConnection.CognitoIdentity(user.identityId(), client).variables());
            if (allowed && (client.endsWith("-phone") || client.endsWith("-tablet"))) {
                tally.allowedSecondConnections++;
            }
        }
        question.ask("iot:Connect", ARN + "client/" + user.identityId() + "-phone", Map.of());
        question.ask("iot:Subscribe", ARN + "topicfilter/view/things/x/status", Map.of());
    }

    /**
     * The specification's claim about filters, checked with MQTT's own matching rather than trusted: an allowed filter
     * reaches (read as leniently as possible: '+' and '#' anywhere as wildcards) only topics the user may receive.
     */
    private static void checkReach(World world, WorldUser user, String filter, String where, Tally tally) {
        tally.wildcardFilters++;
        Pattern reach = lenientMqttFilter(filter);
        Map<String, String> variables = Map.of(IotConnection.COGNITO_SUB, user.identityId());
        for (String topic : world.publishedTopics()) {
            tally.filtersReached++;
            if (reach.matcher(topic).matches() && !user.model().allows("iot:Receive", ARN + "topic/" + topic,
                    variables)) {
                tally.filterLeaks++;
                tally.firstLeak = tally.firstLeak != null ? tally.firstLeak
                        : where + " filter " + filter + " reaches " + topic;
            }
        }
    }

    private static Pattern lenientMqttFilter(String filter) {
        StringBuilder regex = new StringBuilder();
        for (char c : filter.toCharArray()) {
            regex.append(c == '+' ? "[^/]*" : c == '#' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        // '#' also matches its parent level: a/# matches a.
        return Pattern.compile(filter.endsWith("/#") ? "(?:" + regex + ")|" + Pattern.quote(filter.substring(0,
                filter.length() - 2)) : regex.toString());
    }

    @FunctionalInterface
    private interface Question {
        boolean ask(String action, String arn, Map<String, String> variables);
    }

    private static final class Tally {
        long graphs;
        long users;
        long documents;
        long decisions;
        long allowed;
        long overGrants;
        long underGrants;
        long iotOverGrants;
        long iotUnderGrants;
        long roleOverGrants;
        long roleUnderGrants;
        long wildcardFilters;
        long filtersReached;
        long filterLeaks;
        long allowedHouseholdWildcards;
        long allowedSecondConnections;
        String firstMismatch;
        String firstRoleMismatch;
        String firstLeak;

        void record(Supplier<String> question, boolean expected, boolean roleExpected, AccessExplanation answer) {
            decisions++;
            allowed += answer.allowed() ? 1 : 0;
            boolean iot = answer.iotPolicies().allowed();
            if (answer.allowed() != expected || iot != expected) {
                overGrants += answer.allowed() && !expected ? 1 : 0;
                underGrants += !answer.allowed() && expected ? 1 : 0;
                iotOverGrants += iot && !expected ? 1 : 0;
                iotUnderGrants += !iot && expected ? 1 : 0;
                firstMismatch = firstMismatch != null ? firstMismatch
                        : question.get() + ": expected " + expected + ", got " + answer;
            }
            boolean role = answer.roleGate().allowed();
            if (role != roleExpected) {
                roleOverGrants += role ? 1 : 0;
                roleUnderGrants += role ? 0 : 1;
                firstRoleMismatch = firstRoleMismatch != null ? firstRoleMismatch
                        : question.get() + ": role expected " + roleExpected + ", got " + answer;
            }
        }
    }

    // ------------------------------------------------------------------ the models: the specification, independently

    /**
     * What a user may do through IoT Core, as the API exposes it, written from docs/cloud-access.md with string
     * operations only: never publish; receive and subscribe (the filter as sent) exactly {@code view/things/T/status}
     * with VIEW on T and {@code view/things/T/settings} with ADJUST_SETTINGS on T; anything under
     * {@code view/households/P/status/} with VIEW for household P, under {@code view/households/P/settings/} with
     * ADJUST_SETTINGS; connect as {@code <identity id>-<anything>} when holding anything at all.
     */
    record Model(String identityId, Map<String, Set<CloudPermission>> things,
            Map<String, Set<CloudPermission>> households) {

        static Model of(String identityId, CloudGrants grants) {
            Map<String, Set<CloudPermission>> things = new LinkedHashMap<>();
            grants.appliances().forEach(grant -> things.computeIfAbsent(grant.thingName(),
                    key -> EnumSet.noneOf(CloudPermission.class)).addAll(grant.permissions()));
            Map<String, Set<CloudPermission>> households = new LinkedHashMap<>();
            grants.households().forEach(grant -> households.computeIfAbsent(grant.thingPrefix(),
                    key -> EnumSet.noneOf(CloudPermission.class)).addAll(grant.permissions()));
            return new Model(identityId, things, households);
        }

        boolean any() {
            return things.values().stream().anyMatch(set -> !set.isEmpty())
                    || households.values().stream().anyMatch(set -> !set.isEmpty());
        }

        private boolean anySettings() {
            return things.values().stream().anyMatch(set -> set.contains(CloudPermission.ADJUST_SETTINGS))
                    || households.values().stream().anyMatch(set -> set.contains(CloudPermission.ADJUST_SETTINGS));
        }

        /** The principal tags the role gate is asked with: access at all, and settings anywhere. */
        Map<String, String> tags() {
            return Map.of("iot_access", any() ? "view" : "none", "iot_settings", Boolean.toString(anySettings()));
        }

        boolean allows(String action, String arn, Map<String, String> variables) {
            if (!arn.startsWith(ARN)) {
                return false;
            }
            String resource = arn.substring(ARN.length());
            String sub = variables.get(IotConnection.COGNITO_SUB);
            return switch (action) {
                case "iot:Connect" -> any() && sub != null && resource.startsWith("client/" + sub + "-");
                case "iot:Receive" -> resource.startsWith("topic/") && readable(resource.substring("topic/".length()));
                case "iot:Subscribe" -> resource.startsWith("topicfilter/")
                        && readable(resource.substring("topicfilter/".length()));
                default -> false; // Publish, RetainPublish: apps never publish.
            };
        }

        private boolean readable(String topic) {
            if (topic.startsWith("view/things/")) {
                String rest = topic.substring("view/things/".length());
                int slash = rest.indexOf('/');
                return slash > 0 && may(things.get(rest.substring(0, slash)), rest.substring(slash + 1));
            }
            if (topic.startsWith("view/households/")) {
                String[] levels = topic.substring("view/households/".length()).split("/", 3);
                return levels.length == 3 && may(households.get(levels[0]), levels[1]);
            }
            return false;
        }

        private static boolean may(Set<CloudPermission> permissions, String channel) {
            return permissions != null && switch (channel) {
                case "status" -> permissions.contains(CloudPermission.VIEW);
                case "settings" -> permissions.contains(CloudPermission.ADJUST_SETTINGS);
                default -> false;
            };
        }
    }

    /**
     * The identity-pool role's rule (docs/cloud-access.md), as regular expressions: nothing without iot_access view;
     * never publish; connect as {@code <identity id>-...}; subscribe and receive {@code view/things/.../status} and
     * {@code view/households/.../status/...}, the settings ones only with iot_settings true. Coarser than the IoT
     * policies on purpose ('*' in IAM crosses levels); the IoT policies make the combination exact.
     */
    static final class RoleModel {

        private static final Pattern STATUS = Pattern.compile("view/things/.*/status|view/households/.*/status/.*");
        private static final Pattern SETTINGS = Pattern.compile(
                "view/things/.*/settings|view/households/.*/settings/.*");

        static boolean allows(Map<String, String> tags, String action, String arn, Map<String, String> variables) {
            if (!"view".equals(tags.get("iot_access")) || !arn.startsWith(ARN)) {
                return false;
            }
            String resource = arn.substring(ARN.length());
            String sub = variables.get(IotConnection.COGNITO_SUB);
            return switch (action) {
                case "iot:Connect" -> sub != null && resource.startsWith("client/" + sub + "-");
                case "iot:Subscribe", "iot:Receive" -> {
                    String topic = resource.startsWith("topic/") ? resource.substring("topic/".length())
                            : resource.startsWith("topicfilter/") ? resource.substring("topicfilter/".length()) : null;
                    yield topic != null && (STATUS.matcher(topic).matches()
                            || "true".equals(tags.get("iot_settings")) && SETTINGS.matcher(topic).matches());
                }
                default -> false;
            };
        }
    }

    /**
     * The fewest characters any packing needs: each resource the specification requires for the user's appliances
     * (none of them can be dropped or merged without widening), quoted, once.
     */
    private static long minimumCharacters(Model model) {
        long total = 0;
        for (Map.Entry<String, Set<CloudPermission>> entry : model.things().entrySet()) {
            String thing = entry.getKey();
            for (CloudPermission permission : entry.getValue()) {
                String topic = "view/things/" + thing + (permission == CloudPermission.VIEW ? "/status" : "/settings");
                total += 2L * (ARN.length() + 2) + "topic/".length() + "topicfilter/".length() + 2L * topic.length();
            }
        }
        return total;
    }

    private static void assertNamesTheLimit(QuotaExceededException e, String where) {
        assertThat(e).as(where).hasMessageContaining("at most 10 IoT policies");
        var needed = Pattern.compile("these grants need (at least )?([0-9]+)").matcher(e.getMessage());
        assertThat(needed.find()).as(where + " " + e.getMessage()).isTrue();
        assertThat(Integer.parseInt(needed.group(2))).as(where).isGreaterThan(10);
    }

    // ------------------------------------------------------------------ random worlds

    record WorldUser(String identityId, CloudGrants grants, Model model) {
    }

    /**
     * @param probes topics and filters, each asked about with every action as a topic and as a filter
     * @param publishedTopics what the service and the devices publish in this world, for matching allowed filters
     */
    record World(List<String> prefixes, List<String> things, List<WorldUser> users, List<String> probes,
            List<String> publishedTopics) {

        static World random(Random random) {
            List<String> prefixes = new ArrayList<>();
            int households = 1 + random.nextInt(4);
            while (prefixes.size() < households) {
                String prefix = prefixes.isEmpty() || random.nextBoolean() ? randomPrefix(random)
                        : lookAlike(prefixes.get(random.nextInt(prefixes.size())), random);
                if (!prefixes.contains(prefix)) {
                    prefixes.add(prefix);
                }
            }
            Set<String> names = new LinkedHashSet<>();
            for (int i = 3 + random.nextInt(6); i > 0; i--) {
                names.add(thingName(random, prefixes, names));
            }
            List<String> things = List.copyOf(names);
            List<WorldUser> users = new ArrayList<>();
            for (int u = 1 + random.nextInt(3); u > 0; u--) {
                users.add(randomUser(random, prefixes, things));
            }
            return new World(prefixes, things, users, probes(prefixes, things), published(prefixes, things));
        }

        /** One user with many appliances shared one by one, some of them with long names: near and over the quotas. */
        static World manyAppliances(Random random) {
            List<String> things = new ArrayList<>();
            Set<String> taken = new LinkedHashSet<>();
            int count = 30 + random.nextInt(90);
            int longest = 10 + random.nextInt(110);
            while (things.size() < count) {
                String name = randomName(random, 1 + random.nextInt(longest));
                if (taken.add(name)) {
                    things.add(name);
                }
            }
            List<ApplianceGrant> grants = new ArrayList<>();
            for (String thing : things) {
                grants.add(new ApplianceGrant(thing, randomPermissions(random)));
            }
            WorldUser user = user(random, new CloudGrants(uuid(random), List.of(), grants));
            List<String> probes = new ArrayList<>();
            for (String thing : things.subList(0, 5)) {
                probes.addAll(thingProbes(thing, Set.of()));
            }
            return new World(List.of(), things, List.of(user), probes, published(List.of(), things.subList(0, 5)));
        }

        /** Client ids to connect with: own suffixes, exactly the own id, look-alikes, others' and prefix-sharers'. */
        List<String> clientIds(WorldUser user) {
            String own = user.identityId();
            List<String> clients = new ArrayList<>(List.of(own + "-phone", own + "-tablet", own + "-", own + "--x",
                    own, own + "x", own + "phone", own + "/phone", own.toUpperCase(Locale.ROOT) + "-phone",
                    own.substring(0, own.length() - 1) + "-phone", "*", "", "-phone", "us-east-1:*-phone",
                    own.replace("us-east-1", "eu-west-1") + "-phone"));
            // An identity that shares all but the last character (a prefix of the other's id plus '-').
            char last = own.charAt(own.length() - 1);
            String sharer = own.substring(0, own.length() - 1) + (last == 'f' ? 'e' : 'f');
            clients.add(sharer + "-phone");
            clients.add(sharer);
            for (WorldUser other : users) {
                clients.add(other.identityId() + "-tablet");
                clients.add(other.identityId());
            }
            return clients;
        }

        private static WorldUser randomUser(Random random, List<String> prefixes, List<String> things) {
            List<HouseholdGrant> households = new ArrayList<>();
            for (String prefix : prefixes) {
                if (random.nextBoolean()) {
                    households.add(new HouseholdGrant(prefix, randomPermissions(random)));
                }
            }
            List<ApplianceGrant> appliances = new ArrayList<>();
            for (String thing : things) {
                for (int times = random.nextInt(10) < 4 ? 1 + random.nextInt(2) : 0; times > 0; times--) {
                    appliances.add(new ApplianceGrant(thing, randomPermissions(random)));
                }
            }
            return user(random, new CloudGrants(uuid(random), households, appliances));
        }

        private static WorldUser user(Random random, CloudGrants grants) {
            String identityId = REGION + ":" + uuid(random);
            return new WorldUser(identityId, grants, Model.of(identityId, grants));
        }

        private static List<String> probes(List<String> prefixes, List<String> things) {
            List<String> probes = new ArrayList<>(List.of("#", "+/#", "+", "", "/", "view", "view/", "view/#",
                    "view/+", "view/+/#", "view/things", "view/things/", "view/things/#", "view/things/+",
                    "view/things/+/status", "view/things/+/settings", "view/things/+/+", "view/things//status",
                    "view/households", "view/households/", "view/households/#", "view/households/+/status/#",
                    "view/households/+/settings/+", "view/households/+/+/+", "view//things/x/status", "View/#",
                    "$aws/#", "$aws/things/#", "$aws/things/+/shadow/update", "$aws/things/+/shadow/#",
                    "$aws/events/#", "$aws/rules/r", "appliances/#", "appliances/+/state", "appliances/+/commands",
                    "$share/g/view/#", "$share/g/#"));
            Set<String> names = new LinkedHashSet<>(things);
            for (String thing : things) {
                names.add(thing + "x");
                names.add(thing.toUpperCase(Locale.ROOT));
                if (thing.length() > 1) {
                    names.add(thing.substring(0, thing.length() - 1));
                }
            }
            Set<String> prefixLike = new LinkedHashSet<>(prefixes);
            for (String prefix : prefixes) {
                prefixLike.add(prefix.substring(0, 7));
                prefixLike.add(prefix + "x");
                prefixLike.add(prefix.toUpperCase(Locale.ROOT));
                prefixLike.add(prefix.substring(0, 7) + (prefix.charAt(7) == 'z' ? 'y' : 'z'));
            }
            for (String name : names) {
                probes.addAll(thingProbes(name, prefixLike));
            }
            for (String prefix : prefixLike) {
                for (String shape : List.of("view/households/P/status/+", "view/households/P/status/#",
                        "view/households/P/settings/+", "view/households/P/settings/#", "view/households/P/#",
                        "view/households/P/+", "view/households/P/+/+", "view/households/P/+/#",
                        "view/households/P/status", "view/households/P/status/", "view/households/P/settings/",
                        "view/households/P/statusx/a", "view/households/P/status/+/x", "view/households/P/status/a/b",
                        "view/households/P/settings/+/#", "view/households/P", "view/households/P/",
                        "view/households/P-x/status/a", "view/households/P/Status/a", "view/households/P//status/a",
                        "$aws/things/P-+/shadow/get/accepted", "appliances/P-+/commands")) {
                    probes.add(shape.replace("P", prefix));
                }
            }
            return probes;
        }

        /** Every shape of topic and filter of one thing name, in the view, the devices' and the reserved topics. */
        private static List<String> thingProbes(String thing, Set<String> prefixes) {
            List<String> topics = new ArrayList<>();
            for (String shape : List.of("view/things/T/status", "view/things/T/settings", "view/things/T",
                    "view/things/T/", "view/things/T/status/", "view/things/T/status/x", "view/things/T/settings/#",
                    "view/things/T/statusx", "view/things/T/x/status", "view/things/T/+", "view/things/T/#",
                    "view/things/T/+/status", "view/things/T/Status", "view/things/T/settings/settings",
                    "view/status/T", "view/things/+/T/status",
                    "appliances/T/commands", "appliances/T/state", "appliances/T/events", "appliances/T/provisioned",
                    "appliances/T/command-results", "appliances/T/#", "appliances/T/+", "appliances/T",
                    "$aws/things/T/shadow/update", "$aws/things/T/shadow/update/accepted",
                    "$aws/things/T/shadow/update/documents", "$aws/things/T/shadow/get",
                    "$aws/things/T/shadow/delete", "$aws/things/T/shadow/name/n1/update",
                    "$aws/things/T/shadow/name/n1/get/accepted", "$aws/things/T/shadow/#",
                    "$aws/things/T/shadow/+/accepted", "$aws/things/T/jobs/notify-next", "$aws/things/T/jobs/get",
                    "$aws/things/T/jobs/j1/update", "$aws/things/T/tunnels/notify",
                    "$aws/things/T/defender/metrics/json", "$aws/things/T/#", "$aws/events/presence/connected/T",
                    "$share/g/view/things/T/status")) {
                topics.add(shape.replace("T", thing));
            }
            for (String prefix : prefixes) {
                for (String channel : List.of("status", "settings")) {
                    topics.add("view/households/" + prefix + "/" + channel + "/" + thing);
                    topics.add("view/households/" + prefix + "/" + channel + "/" + thing + "/x");
                }
            }
            return topics;
        }

        /** What the service publishes in this world (every thing in every household: membership is the service's). */
        private static List<String> published(List<String> prefixes, List<String> things) {
            List<String> topics = new ArrayList<>();
            for (String thing : things) {
                topics.add("view/things/" + thing + "/status");
                topics.add("view/things/" + thing + "/settings");
                topics.add("appliances/" + thing + "/commands");
                topics.add("appliances/" + thing + "/state");
                topics.add("$aws/things/" + thing + "/shadow/update/accepted");
                topics.add("$aws/things/" + thing + "/jobs/notify-next");
                for (String prefix : prefixes) {
                    topics.add("view/households/" + prefix + "/status/" + thing);
                    topics.add("view/households/" + prefix + "/settings/" + thing);
                }
            }
            return topics;
        }

        private static String randomPrefix(Random random) {
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                prefix.append(LOWER_ALNUM.charAt(random.nextInt(LOWER_ALNUM.length())));
            }
            return prefix.toString();
        }

        /** Shares seven characters with the original. */
        private static String lookAlike(String prefix, Random random) {
            int position = random.nextInt(8);
            char replacement = LOWER_ALNUM.charAt(random.nextInt(LOWER_ALNUM.length()));
            return prefix.substring(0, position) + replacement + prefix.substring(position + 1);
        }

        /** A thing name, unique, often built to look like a prefix, a channel or another thing's name. */
        private static String thingName(Random random, List<String> prefixes, Set<String> taken) {
            while (true) {
                String prefix = prefixes.get(random.nextInt(prefixes.size()));
                String existing = taken.isEmpty() ? "oven1" : List.copyOf(taken).get(random.nextInt(taken.size()));
                String name = switch (random.nextInt(10)) {
                    case 0 -> prefix;
                    case 1 -> prefix + "-" + randomName(random, 3);
                    case 2 -> random.nextBoolean() ? "status" : "settings";
                    case 3 -> "things";
                    case 4 -> existing + random.nextInt(10);
                    case 5 -> existing.length() > 1 ? existing.substring(0, existing.length() - 1) : existing + "q";
                    case 6 -> existing + "-status";
                    default -> randomName(random, 1 + random.nextInt(12));
                };
                if (THING.matcher(name).matches() && taken.add(name)) {
                    return name;
                }
            }
        }

        private static String randomName(Random random, int length) {
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < length; i++) {
                name.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
            }
            return name.toString();
        }

        private static Set<CloudPermission> randomPermissions(Random random) {
            Set<CloudPermission> permissions = EnumSet.noneOf(CloudPermission.class);
            for (CloudPermission permission : CloudPermission.values()) {
                if (random.nextInt(3) > 0) {
                    permissions.add(permission);
                }
            }
            return permissions;
        }

        private static String uuid(Random random) {
            return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
        }
    }

    /** The same grants: lists shuffled and each grant's permissions split over two grants. */
    private static CloudGrants shuffledAndSplit(CloudGrants grants, Random random) {
        List<HouseholdGrant> households = new ArrayList<>();
        for (HouseholdGrant grant : grants.households()) {
            for (Set<CloudPermission> part : split(grant.permissions(), random)) {
                households.add(new HouseholdGrant(grant.thingPrefix(), part));
            }
        }
        List<ApplianceGrant> appliances = new ArrayList<>();
        for (ApplianceGrant grant : grants.appliances()) {
            for (Set<CloudPermission> part : split(grant.permissions(), random)) {
                appliances.add(new ApplianceGrant(grant.thingName(), part));
            }
        }
        Collections.shuffle(households, random);
        Collections.shuffle(appliances, random);
        return new CloudGrants(grants.userId(), households, appliances);
    }

    private static List<Set<CloudPermission>> split(Set<CloudPermission> permissions, Random random) {
        Set<CloudPermission> first = EnumSet.noneOf(CloudPermission.class);
        Set<CloudPermission> second = EnumSet.noneOf(CloudPermission.class);
        for (CloudPermission permission : permissions) {
            (random.nextBoolean() ? first : second).add(permission);
        }
        List<Set<CloudPermission>> parts = new ArrayList<>(List.of(first, second));
        Collections.shuffle(parts, random);
        return parts;
    }
}
