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

/**
 * Property: for thousands of random worlds (households with look-alike prefixes, their present and future things,
 * unassigned things named like household things, users holding random household and appliance grants), the compiled
 * IoT policies, and the role gate with the compiled principal tags, answer every question exactly as an independent
 * model of the topic layout specified on {@link IotPolicyCompiler}: no over-grant, no under-grant. Questions: every
 * action on every topic and filter shape of every thing, look-alike names, prefix wildcards, global wildcards, wrong
 * regions and accounts, other users' client ids. Reproduce a failure with {@code -Dproperty.seed=<base seed>}.
 */
class PolicyCompilerPropertyTest {

    private static final int GRAPHS = 2_000;
    private static final int OVERFLOW_GRAPHS = 150;
    private static final int SHUFFLED_GRAPHS = 300;

    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";
    private static final String ARN = "arn:aws:iot:" + REGION + ":" + ACCOUNT + ":";
    private static final PolicyTarget TARGET = new PolicyTarget(REGION, ACCOUNT, "appliance-sync-");
    private static final String SUB = "cognito-identity.amazonaws.com:sub";
    private static final Pattern MQTT_WILDCARD = Pattern.compile("[+#]");

    /** The facts about names the database enforces, restated here rather than borrowed from the compiler. */
    private static final Pattern THING = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    private static final Pattern FACTORY = Pattern.compile("[A-Za-z0-9:_-]{1,119}");
    private static final Pattern HOUSEHOLD_LIKE = Pattern.compile("[a-z0-9]{8}-.*");
    private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String NAME_CHARS = LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ:_-";

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
        System.out.printf("PolicyCompilerPropertyTest: %d graphs, %d users, %d documents, %d decisions checked, "
                + "%d over-grants, %d under-grants (IoT policies alone: %d over, %d under), "
                + "%d allowed filters checked against every thing's topics, %d reach a thing without VIEW%n",
                tally.graphs, tally.users, tally.documents, tally.decisions, tally.overGrants, tally.underGrants,
                tally.iotOverGrants, tally.iotUnderGrants, tally.filtersReached, tally.filterLeaks);
        assertThat(tally.decisions).isGreaterThan(1_000_000);
        assertThat(tally.allowed).as("allowed decisions").isGreaterThan(tally.decisions / 100);
        assertThat(tally.overGrants).as("over-grants; first: " + tally.firstMismatch).isZero();
        assertThat(tally.underGrants).as("under-grants; first: " + tally.firstMismatch).isZero();
        assertThat(tally.iotOverGrants + tally.iotUnderGrants).as("IoT policy mismatches; first: " + tally.firstMismatch)
                .isZero();
        assertThat(tally.filterLeaks).as("filters reaching a thing without VIEW; first: " + tally.firstLeak).isZero();
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
        assertThat(tally.overGrants + tally.underGrants + tally.iotOverGrants + tally.iotUnderGrants)
                .as("mismatches near the quotas; first: " + tally.firstMismatch).isZero();
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
        for (CompiledPolicy policy : access.policies()) {
            long size = policy.document().codePoints().filter(c -> !Character.isWhitespace(c)).count();
            assertThat(size).as(where + " size of " + policy.name()).isLessThanOrEqualTo(2048);
            assertThat(policy.name()).as(where).matches("appliance-sync-" + Pattern.quote(user.grants().userId())
                    + "-[0-9]+");
        }
        CloudAccessCheck.UserAccess cloud = check.forUser(access);
        Map<String, String> variables = Map.of(SUB, user.identityId());
        Question question = (action, arn, vars) -> {
            AccessExplanation answer = cloud.explain(action, arn, vars);
            boolean expected = user.model().allows(action, arn, vars);
            tally.record(() -> where + " " + action + " " + arn, expected, answer);
        };
        for (String probe : world.probes()) {
            question.ask("iot:Receive", ARN + "topic/" + probe, variables);
            question.ask("iot:Publish", ARN + "topic/" + probe, variables);
            question.ask("iot:RetainPublish", ARN + "topic/" + probe, variables);
            question.ask("iot:Subscribe", ARN + "topicfilter/" + probe, variables);
            if (MQTT_WILDCARD.matcher(probe).find()
                    && user.model().allows("iot:Subscribe", ARN + "topicfilter/" + probe, variables)) {
                checkReach(world, user, probe, where, tally);
            }
        }
        for (String probe : world.crossTypeProbes()) {
            // Resource types the actions are never checked against: nothing may come of them either.
            question.ask("iot:Subscribe", ARN + "topic/" + probe, variables);
            question.ask("iot:Receive", ARN + "topicfilter/" + probe, variables);
            question.ask("iot:Publish", ARN + "topicfilter/" + probe, variables);
        }
        for (String thing : world.things()) {
            question.ask("iot:Receive", "arn:aws:iot:eu-west-1:" + ACCOUNT + ":topic/appliances/" + thing + "/state",
                    variables);
            question.ask("iot:Receive", "arn:aws:iot:" + REGION + ":210987654321:topic/appliances/" + thing + "/state",
                    variables);
            question.ask("iot:Publish", "arn:aws-cn:iot:" + REGION + ":" + ACCOUNT + ":topic/appliances/" + thing
                    + "/commands", variables);
        }
        for (WorldUser other : world.users()) {
            question.ask("iot:Connect", ARN + "client/" + other.identityId(), variables);
        }
        for (String client : List.of("*", user.identityId() + "x", user.identityId().toUpperCase(Locale.ROOT), "")) {
            question.ask("iot:Connect", ARN + "client/" + client, variables);
        }
        question.ask("iot:Connect", ARN + "client/" + user.identityId(), Map.of());
        question.ask("iot:Subscribe", ARN + "topicfilter/appliances/x/#", Map.of());
    }

    /**
     * The specification's claim about filters, checked with MQTT's own matching rather than trusted: an allowed filter
     * reaches (read as leniently as possible: '+' and '#' anywhere as wildcards) only topics of things with VIEW.
     */
    private static void checkReach(World world, WorldUser user, String filter, String where, Tally tally) {
        Pattern reach = lenientMqttFilter(filter);
        for (String thing : world.things()) {
            for (String topic : List.of("$aws/things/" + thing + "/shadow/update/accepted", "appliances/" + thing
                    + "/state", "appliances/" + thing + "/x/commands", "$aws/things/" + thing + "/shadow/name/n/get")) {
                tally.filtersReached++;
                if (reach.matcher(topic).matches() && !user.model().may(CloudPermission.VIEW, thing)) {
                    tally.filterLeaks++;
                    tally.firstLeak = tally.firstLeak != null ? tally.firstLeak
                            : where + " filter " + filter + " reaches " + topic;
                }
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
        void ask(String action, String arn, Map<String, String> variables);
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
        long filtersReached;
        long filterLeaks;
        String firstMismatch;
        String firstLeak;

        void record(Supplier<String> question, boolean expected, AccessExplanation answer) {
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
        }
    }

    // ------------------------------------------------------------------ the model: the specification, independently

    /**
     * What a user may do, written from the topic layout on {@link IotPolicyCompiler} with string operations only: a
     * topic or filter is in thing L's namespace when it is {@code $aws/things/L/...} or {@code appliances/L/...}; a
     * household grant covers every L starting with {@code <prefix>-}.
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

        boolean may(CloudPermission permission, String thing) {
            if (things.getOrDefault(thing, Set.of()).contains(permission)) {
                return true;
            }
            return households.entrySet().stream()
                    .anyMatch(entry -> entry.getValue().contains(permission) && thing.startsWith(entry.getKey() + "-"));
        }

        boolean allows(String action, String arn, Map<String, String> variables) {
            if (!arn.startsWith(ARN)) {
                return false;
            }
            String resource = arn.substring(ARN.length());
            return switch (action) {
                case "iot:Connect" -> any() && variables.containsKey(SUB)
                        && resource.equals("client/" + variables.get(SUB));
                case "iot:Receive" -> resource.startsWith("topic/") && viewable(resource.substring("topic/".length()));
                case "iot:Subscribe" -> resource.startsWith("topicfilter/")
                        && viewable(resource.substring("topicfilter/".length()));
                case "iot:Publish" -> resource.startsWith("topic/")
                        && publishable(resource.substring("topic/".length()));
                default -> false;
            };
        }

        private boolean viewable(String topic) {
            for (String root : List.of("$aws/things/", "appliances/")) {
                if (topic.startsWith(root)) {
                    String rest = topic.substring(root.length());
                    int slash = rest.indexOf('/');
                    return slash >= 0 && may(CloudPermission.VIEW, rest.substring(0, slash));
                }
            }
            return false;
        }

        private boolean publishable(String topic) {
            String shadowThing = between(topic, "$aws/things/", "/shadow/update");
            String commandThing = between(topic, "appliances/", "/commands");
            return shadowThing != null && may(CloudPermission.ADJUST_SETTINGS, shadowThing)
                    || commandThing != null && may(CloudPermission.COMMAND, commandThing);
        }

        /** The single level between a prefix and a suffix, or null. */
        private static String between(String topic, String prefix, String suffix) {
            if (topic.length() < prefix.length() + suffix.length() || !topic.startsWith(prefix)
                    || !topic.endsWith(suffix)) {
                return null;
            }
            String level = topic.substring(prefix.length(), topic.length() - suffix.length());
            return level.contains("/") ? null : level;
        }
    }

    /**
     * The fewest characters any packing needs: each resource the specification requires for the user's appliances
     * (none of them can be dropped or merged without widening), quoted, once.
     */
    private static long minimumCharacters(Model model) {
        long total = 0;
        for (Map.Entry<String, Set<CloudPermission>> entry : model.things().entrySet()) {
            List<String> resources = new ArrayList<>();
            String thing = entry.getKey();
            if (entry.getValue().contains(CloudPermission.VIEW)) {
                for (String root : List.of("$aws/things/", "appliances/")) {
                    resources.add("topic/" + root + thing + "/*");
                    resources.add("topicfilter/" + root + thing + "/*");
                }
            }
            if (entry.getValue().contains(CloudPermission.ADJUST_SETTINGS)) {
                resources.add("topic/$aws/things/" + thing + "/shadow/update");
            }
            if (entry.getValue().contains(CloudPermission.COMMAND)) {
                resources.add("topic/appliances/" + thing + "/commands");
            }
            for (String resource : resources) {
                total += ARN.length() + resource.length() + 2;
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
     * @param probes topics and filters asked about with the action each is checked for
     * @param crossTypeProbes a sample asked about as the other resource type
     */
    record World(List<String> prefixes, List<String> things, List<WorldUser> users, List<String> probes,
            List<String> crossTypeProbes) {

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
            Set<String> factoryNames = new LinkedHashSet<>();
            Map<String, List<String>> current = new LinkedHashMap<>();
            List<String> things = new ArrayList<>();
            for (String prefix : prefixes) {
                List<String> members = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    members.add(prefix + "-" + factoryName(random, prefixes, factoryNames));
                }
                current.put(prefix, members);
                things.addAll(members);
                // Joins the household after the grants were compiled: the household grant still covers it.
                things.add(prefix + "-" + factoryName(random, prefixes, factoryNames));
            }
            for (int i = 2 + random.nextInt(4); i > 0; i--) {
                things.add(factoryName(random, prefixes, factoryNames));
            }
            List<WorldUser> users = new ArrayList<>();
            for (int u = 1 + random.nextInt(3); u > 0; u--) {
                users.add(randomUser(random, prefixes, current, things));
            }
            List<String> crossType = new ArrayList<>();
            for (String thing : things) {
                crossType.addAll(representativeProbes(thing));
            }
            return new World(prefixes, things, users, probes(prefixes, things), crossType);
        }

        /** One user with many appliances shared one by one, some of them with long names: near and over the quotas. */
        static World manyAppliances(Random random) {
            List<String> things = new ArrayList<>();
            Set<String> factoryNames = new LinkedHashSet<>();
            int count = 20 + random.nextInt(60);
            int longest = 10 + random.nextInt(110);
            while (things.size() < count) {
                String name = randomName(random, 1 + random.nextInt(longest));
                if (!HOUSEHOLD_LIKE.matcher(name).matches() && factoryNames.add(name)) {
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
                probes.addAll(thingProbes(thing));
            }
            return new World(List.of(), things, List.of(user), probes, List.of());
        }

        private static WorldUser randomUser(Random random, List<String> prefixes, Map<String, List<String>> current,
                List<String> things) {
            List<HouseholdGrant> households = new ArrayList<>();
            for (String prefix : prefixes) {
                if (random.nextBoolean()) {
                    households.add(new HouseholdGrant(prefix, randomPermissions(random), current.get(prefix)));
                }
            }
            List<ApplianceGrant> appliances = new ArrayList<>();
            for (String thing : things) {
                for (int times = random.nextInt(10) < 3 ? 1 + random.nextInt(2) : 0; times > 0; times--) {
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
            List<String> probes = new ArrayList<>(List.of("#", "+/#", "+", "", "$aws/#", "$aws/things/#",
                    "$aws/things/+/shadow/update", "$aws/things/+/shadow/update/accepted", "appliances/#",
                    "appliances/+/state", "appliances/+/commands", "$aws/things/*/shadow/update",
                    "appliances/*/commands", "appliances//commands", "$aws/things//shadow/update", "appliances/",
                    "$aws/things/", "Appliances/#"));
            for (String thing : things) {
                probes.addAll(thingProbes(thing));
            }
            Set<String> lookAlikes = new LinkedHashSet<>();
            for (String thing : things) {
                lookAlikes.add(thing + "x");
                lookAlikes.add(thing + "-");
                if (thing.length() > 1) {
                    lookAlikes.add(thing.substring(0, thing.length() - 1));
                }
            }
            lookAlikes.removeAll(things);
            for (String name : lookAlikes) {
                probes.addAll(representativeProbes(name));
            }
            Set<String> prefixLike = new LinkedHashSet<>();
            for (String prefix : prefixes) {
                prefixLike.add(prefix);
                prefixLike.add(prefix.substring(0, 7));
                prefixLike.add(prefix.toUpperCase(Locale.ROOT));
                prefixLike.add(prefix.substring(0, 7) + (prefix.charAt(7) == 'z' ? 'y' : 'z'));
            }
            for (String prefix : prefixLike) {
                for (String topic : List.of("$aws/things/P-+/shadow/get/accepted", "appliances/P-+/state",
                        "$aws/things/P-#", "appliances/P-*/state", "$aws/things/P-/x", "appliances/P-/commands",
                        "$aws/things/P-*/shadow/update", "appliances/P-x/y/commands", "appliances/P-*/commands",
                        "$aws/things/P/x", "appliances/P-+/commands", "$aws/things/P-*/x/shadow/update",
                        "$aws/things/P-/shadow/update")) {
                    probes.add(topic.replace("P", prefix));
                }
            }
            return probes;
        }

        /** One topic or filter of each class. */
        private static List<String> representativeProbes(String thing) {
            return List.of("$aws/things/" + thing + "/shadow/update", "appliances/" + thing + "/commands",
                    "appliances/" + thing + "/state", "$aws/things/" + thing + "/#", "appliances/" + thing + "/+");
        }

        private static List<String> thingProbes(String thing) {
            List<String> topics = new ArrayList<>();
            for (String topic : List.of("$aws/things/T/shadow/update", "$aws/things/T/shadow/update/accepted",
                    "$aws/things/T/shadow/get", "$aws/things/T/shadow/name/n1/update",
                    "$aws/things/T/shadow/name/shadow/update", "$aws/things/T/jobs/shadow/update",
                    "$aws/things/T/x/shadow/update", "$aws/things/T/shadow/update/x", "$aws/things/T",
                    "$aws/things/T/", "appliances/T/commands", "appliances/T/state", "appliances/T/x/commands",
                    "appliances/T/commands/commands", "appliances/T/commands/x", "appliances/T", "appliances/T/",
                    "$aws/things/T/#", "$aws/things/T/shadow/+/accepted", "appliances/T/+", "appliances/T/#",
                    "appliances/T/+/commands")) {
                topics.add(topic.replace("T", thing));
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

        /** A factory name, unique, often built to look like a household thing or another factory name. */
        private static String factoryName(Random random, List<String> prefixes, Set<String> taken) {
            while (true) {
                String prefix = prefixes.get(random.nextInt(prefixes.size()));
                String existing = taken.isEmpty() ? "oven1" : List.copyOf(taken).get(random.nextInt(taken.size()));
                String name = switch (random.nextInt(9)) {
                    case 0 -> prefix.toUpperCase(Locale.ROOT) + "-x";
                    case 1 -> prefix + random.nextInt(10) + "-y";
                    case 2 -> prefix.substring(0, 7) + "-z";
                    case 3 -> prefix;
                    case 4 -> prefix + (random.nextBoolean() ? "_" : ":") + "a";
                    case 5 -> existing + random.nextInt(10);
                    case 6 -> existing.length() > 1 ? existing.substring(0, existing.length() - 1) : existing + "q";
                    default -> randomName(random, 1 + random.nextInt(12));
                };
                if (FACTORY.matcher(name).matches() && !HOUSEHOLD_LIKE.matcher(name).matches() && taken.add(name)) {
                    assertThat(name).matches(THING);
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

    /** The same grants: lists shuffled, thing lists shuffled, and each grant's permissions split over two grants. */
    private static CloudGrants shuffledAndSplit(CloudGrants grants, Random random) {
        List<HouseholdGrant> households = new ArrayList<>();
        for (HouseholdGrant grant : grants.households()) {
            List<String> things = new ArrayList<>(grant.thingNames());
            Collections.shuffle(things, random);
            for (Set<CloudPermission> part : split(grant.permissions(), random)) {
                households.add(new HouseholdGrant(grant.thingPrefix(), part, things));
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
