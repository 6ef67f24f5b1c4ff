package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.TestSize;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Property: whatever sequence of claims, household assignments, memberships, shares, revocations and expiries happens,
 * every user's {@code appliances { myCapabilities }} and the outcome of {@code sendCommand(START)} agree with an
 * independent model of the sharing matrix (grants union, explicit sets intersect, revoked/expired grants count for
 * nothing). Reproduce a failure with {@code -Dproperty.seed=<base seed>}; each message names the scenario's seed.
 */
@QuarkusTest
class GrantModelPropertyTest {

    /** Scenarios a run tries: a CI number, the full one under -Pbenchmarks (TestSize). */
    private static final int SCENARIOS = TestSize.ciOrFull(4, 12);
    private static final int OPERATIONS = 22;
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(10);

    enum Cap {
        VIEW_STATUS, ADJUST_SETTINGS, START_STOP, MAINTAIN, MANAGE_SHARES, RENAME, REMOVE, TRANSFER, ASSIGN_HOUSEHOLD
    }

    private static final List<String> TYPES = List.of("MINI_OVEN", "SENSE", "COOKER", "FRIDGE", "GENERIC");
    private static final Set<Cap> OWNER = EnumSet.allOf(Cap.class);
    private static final Set<Cap> ADMIN = EnumSet.of(Cap.VIEW_STATUS, Cap.ADJUST_SETTINGS, Cap.START_STOP, Cap.MAINTAIN,
            Cap.MANAGE_SHARES, Cap.RENAME);
    private static final Map<String, Set<Cap>> FAMILY = Map.of(
            "MINI_OVEN", EnumSet.of(Cap.VIEW_STATUS, Cap.ADJUST_SETTINGS),
            "SENSE", EnumSet.of(Cap.VIEW_STATUS, Cap.ADJUST_SETTINGS, Cap.START_STOP, Cap.MAINTAIN),
            "COOKER", EnumSet.of(Cap.VIEW_STATUS, Cap.START_STOP),
            "FRIDGE", EnumSet.of(Cap.VIEW_STATUS, Cap.ADJUST_SETTINGS),
            "GENERIC", EnumSet.of(Cap.VIEW_STATUS, Cap.ADJUST_SETTINGS, Cap.START_STOP));
    private static final Map<String, Set<Cap>> GUEST = Map.of(
            "MINI_OVEN", EnumSet.of(Cap.VIEW_STATUS),
            "SENSE", EnumSet.noneOf(Cap.class),
            "COOKER", EnumSet.noneOf(Cap.class),
            "FRIDGE", EnumSet.noneOf(Cap.class),
            "GENERIC", EnumSet.of(Cap.VIEW_STATUS));

    @Inject
    Pool pool;

    // ---- the reference model ------------------------------------------------------------------------------------

    record User(String name, String id, String email, String token) {
    }

    static final class Household {
        String id;
        int owner;
    }

    static final class Appliance {
        String id;
        String type;
        int owner;
        Integer household;
    }

    /** An unrevoked share (appliance or household); expired ones stay until revoked or shared again. */
    static final class Share {
        String id;
        Integer appliance;
        Integer household;
        int recipient;
        String role;
        Set<Cap> caps;
        boolean expired;
    }

    static final class Model {
        final List<User> users = new ArrayList<>();
        final List<Household> households = new ArrayList<>();
        final List<Appliance> appliances = new ArrayList<>();
        final List<Share> shares = new ArrayList<>();

        static Set<Cap> roleCaps(String role, String type) {
            return switch (role) {
                case "OWNER" -> OWNER;
                case "ADMIN" -> ADMIN;
                case "FAMILY" -> FAMILY.get(type);
                case "GUEST" -> GUEST.get(type);
                default -> throw new IllegalArgumentException(role);
            };
        }

        Set<Cap> capabilities(int user, int applianceIndex) {
            Appliance a = appliances.get(applianceIndex);
            Set<Cap> all = EnumSet.noneOf(Cap.class);
            if (a.owner == user) {
                all.addAll(OWNER);
            }
            if (a.household != null && households.get(a.household).owner == user && a.owner != user) {
                all.addAll(ADMIN);
            }
            for (Share s : shares) {
                if (s.expired || s.recipient != user) {
                    continue;
                }
                boolean applies = (s.appliance != null && s.appliance == applianceIndex)
                        || (s.household != null && a.household != null && s.household.equals(a.household));
                if (applies) {
                    Set<Cap> granted = EnumSet.noneOf(Cap.class);
                    granted.addAll(roleCaps(s.role, a.type));
                    if (s.caps != null) {
                        granted.retainAll(s.caps);
                    }
                    all.addAll(granted);
                }
            }
            return all;
        }

        Share unrevoked(Integer appliance, Integer household, int recipient) {
            for (Share s : shares) {
                if (java.util.Objects.equals(s.appliance, appliance) && java.util.Objects.equals(s.household, household)
                        && s.recipient == recipient) {
                    return s;
                }
            }
            return null;
        }

        /** Active (unexpired) household role of the user, or null. */
        String memberRole(int household, int user) {
            Share s = unrevoked(null, household, user);
            return s == null || s.expired ? null : s.role;
        }

        String describe() {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < users.size(); i++) {
                out.append("\n  user ").append((char) ('A' + i)).append(" = ").append(users.get(i).id());
            }
            for (int i = 0; i < households.size(); i++) {
                out.append("\n  household H").append(i).append(" ").append(households.get(i).id).append(" owner ")
                        .append((char) ('A' + households.get(i).owner));
            }
            for (int i = 0; i < appliances.size(); i++) {
                Appliance a = appliances.get(i);
                out.append("\n  appliance #").append(i).append(" ").append(a.id).append(" ").append(a.type)
                        .append(" owner ").append((char) ('A' + a.owner)).append(" household ")
                        .append(a.household == null ? "-" : "H" + a.household);
            }
            for (Share s : shares) {
                out.append("\n  share ").append(s.id).append(s.appliance != null ? " appliance #" + s.appliance
                        : " household H" + s.household).append(" -> ").append((char) ('A' + s.recipient)).append(' ')
                        .append(s.role).append(" caps=").append(s.caps).append(s.expired ? " EXPIRED" : "");
            }
            return out.toString();
        }
    }

    // ---- the property -------------------------------------------------------------------------------------------

    @Test
    void capabilitiesAndCommandsMatchTheReferenceModel() {
        long base = Long.getLong("property.seed", System.nanoTime());
        System.out.println("GrantModelPropertyTest base seed: " + base + " (rerun with -Dproperty.seed=" + base + ")");
        Random seeds = new Random(base);
        for (int scenario = 0; scenario < SCENARIOS; scenario++) {
            long seed = seeds.nextLong();
            runScenario(base, scenario, seed);
        }
    }

    private void runScenario(long base, int scenario, long seed) {
        Random random = new Random(seed);
        String where = "[base seed " + base + ", scenario " + scenario + ", seed " + seed + "]";
        List<String> log = new ArrayList<>();
        Model model = new Model();

        String operator = Tokens.forUser(Tokens.uniqueUsername("op"), Tokens.uniqueUsername("op") + "@example.com",
                List.of("admin"));
        for (int i = 0; i < 4; i++) {
            String name = Tokens.uniqueUsername("pbt" + (char) ('a' + i));
            String email = name + "@example.com";
            String token = Tokens.forUser(name, email, List.of());
            String id = ok(token, "{ me { id } }", Map.of(), where, log).getString("data.me.id");
            model.users.add(new User(name, id, email, token));
        }
        for (int h = 0; h < 2; h++) {
            Household household = new Household();
            household.owner = random.nextInt(4);
            household.id = ok(model.users.get(household.owner).token(),
                    "mutation($n: String!) { createHousehold(name: $n) { id } }", Map.of("n", "Home " + h), where, log)
                    .getString("data.createHousehold.id");
            model.households.add(household);
            log.add("H" + h + " created by " + (char) ('A' + household.owner));
        }
        int count = 6 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            Appliance appliance = new Appliance();
            appliance.type = TYPES.get(random.nextInt(TYPES.size()));
            appliance.owner = random.nextInt(4);
            String serial = "SN-" + UUID.randomUUID();
            String claimCode = "code-" + UUID.randomUUID();
            ok(operator, "mutation($s: String!, $t: ApplianceType!, $c: String!) { provisionAppliance(serialNumber: $s, "
                    + "type: $t, claimCode: $c) { id } }", Map.of("s", serial, "t", appliance.type, "c", claimCode),
                    where, log);
            appliance.id = ok(model.users.get(appliance.owner).token(),
                    "mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { id } }",
                    Map.of("s", serial, "c", claimCode), where, log).getString("data.claimAppliance.id");
            model.appliances.add(appliance);
            log.add("#" + i + " " + appliance.type + " claimed by " + (char) ('A' + appliance.owner));
        }

        for (int op = 0; op < OPERATIONS; op++) {
            int kind = random.nextInt(100);
            if (kind < 15) {
                assign(model, random, where, log);
            } else if (kind < 35) {
                addMember(model, random, where, log);
            } else if (kind < 65) {
                share(model, random, where, log);
            } else if (kind < 77) {
                revoke(model, random, where, log);
            } else if (kind < 87) {
                removeMember(model, random, where, log);
            } else {
                expire(model, random, where, log);
            }
        }

        String context = where + "\nmodel:" + model.describe() + "\noperations:\n  " + String.join("\n  ", log);

        // Every user sees exactly the appliances the model grants anything on, with exactly those capabilities.
        for (int u = 0; u < 4; u++) {
            User user = model.users.get(u);
            JsonPath response = ok(user.token(), "{ appliances { id myCapabilities } }", Map.of(), where, log);
            List<Map<String, Object>> seen = response.getList("data.appliances");
            Map<String, Set<String>> actual = new TreeMap<>();
            for (Map<String, Object> appliance : seen) {
                @SuppressWarnings("unchecked")
                List<String> caps = (List<String>) appliance.get("myCapabilities");
                actual.put((String) appliance.get("id"), new TreeSet<>(caps));
            }
            Map<String, Set<String>> expected = new TreeMap<>();
            for (int a = 0; a < model.appliances.size(); a++) {
                Set<Cap> caps = model.capabilities(u, a);
                if (!caps.isEmpty()) {
                    Set<String> names = new TreeSet<>();
                    caps.forEach(c -> names.add(c.name()));
                    expected.put(model.appliances.get(a).id, names);
                }
            }
            assertThat(actual).as("appliances and myCapabilities of user %s %s", (char) ('A' + u), context)
                    .isEqualTo(expected);
        }

        // A sample of commands: START succeeds iff START_STOP; otherwise NOT_FOUND without VIEW_STATUS, else FORBIDDEN.
        for (int i = 0; i < 8; i++) {
            int u = random.nextInt(4);
            int a = random.nextInt(model.appliances.size());
            Set<Cap> caps = model.capabilities(u, a);
            JsonPath response = GraphQL.post(model.users.get(u).token(),
                    "mutation($a: ID!) { sendCommand(applianceId: $a, command: START) { id status } }",
                    Map.of("a", model.appliances.get(a).id)).then().statusCode(200).extract().jsonPath();
            String what = "sendCommand START by user " + (char) ('A' + u) + " on appliance #" + a + " (model " + caps
                    + ") " + context + "\nresponse: " + response.prettify();
            if (caps.contains(Cap.START_STOP)) {
                assertThat(response.getList("errors")).as(what).isNull();
                assertThat(response.getString("data.sendCommand.id")).as(what).isNotNull();
            } else {
                String code = caps.contains(Cap.VIEW_STATUS) ? "FORBIDDEN" : "NOT_FOUND";
                assertThat(response.getString("errors[0].extensions.code")).as(what).isEqualTo(code);
            }
        }
    }

    // ---- operations: each one only does what the model says must succeed ----------------------------------------

    private void assign(Model model, Random random, String where, List<String> log) {
        int a = random.nextInt(model.appliances.size());
        Appliance appliance = model.appliances.get(a);
        List<Integer> candidates = new ArrayList<>();
        for (int h = 0; h < model.households.size(); h++) {
            if (model.households.get(h).owner == appliance.owner
                    || "ADMIN".equals(model.memberRole(h, appliance.owner))) {
                candidates.add(h);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        int h = candidates.get(random.nextInt(candidates.size()));
        log.add((char) ('A' + appliance.owner) + " assigns #" + a + " to H" + h);
        ok(model.users.get(appliance.owner).token(),
                "mutation($a: ID!, $h: ID) { assignApplianceToHousehold(applianceId: $a, householdId: $h) { id } }",
                Map.of("a", appliance.id, "h", model.households.get(h).id), where, log);
        appliance.household = h;
    }

    private void addMember(Model model, Random random, String where, List<String> log) {
        int h = random.nextInt(model.households.size());
        Household household = model.households.get(h);
        int recipient = random.nextInt(4);
        if (recipient == household.owner) {
            return;
        }
        Share existing = model.unrevoked(null, h, recipient);
        List<Integer> actors = new ArrayList<>(List.of(household.owner));
        if (existing == null || !"ADMIN".equals(existing.role)) {
            for (int u = 0; u < 4; u++) {
                if (u != recipient && u != household.owner && "ADMIN".equals(model.memberRole(h, u))) {
                    actors.add(u);
                }
            }
        }
        int actor = actors.get(random.nextInt(actors.size()));
        List<String> roles = actor == household.owner ? List.of("ADMIN", "FAMILY", "GUEST") : List.of("FAMILY", "GUEST");
        String role = roles.get(random.nextInt(roles.size()));
        log.add((char) ('A' + actor) + " adds " + (char) ('A' + recipient) + " to H" + h + " as " + role);
        String invitationId = ok(model.users.get(actor).token(),
                "mutation($h: ID!, $e: String!, $r: Role!) { addHouseholdMember(householdId: $h, email: $e, role: $r) "
                        + "{ id } }",
                Map.of("h", household.id, "e", model.users.get(recipient).email(), "r", role), where, log)
                .getString("data.addHouseholdMember.id");
        String shareId = ok(model.users.get(recipient).token(),
                "mutation($i: ID!) { acceptInvitation(invitationId: $i) { id } }", Map.of("i", invitationId), where, log)
                .getString("data.acceptInvitation.id");
        assertThat(shareId).as("the invitee's acceptance makes them a member %s", where).isNotNull();
        Share share = existing != null ? existing : new Share();
        if (existing == null) {
            share.household = h;
            share.recipient = recipient;
            model.shares.add(share);
        }
        share.id = shareId;
        share.role = role;
        share.caps = null;
        share.expired = false;
    }

    private void share(Model model, Random random, String where, List<String> log) {
        int a = random.nextInt(model.appliances.size());
        Appliance appliance = model.appliances.get(a);
        List<Integer> actors = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            if (model.capabilities(u, a).contains(Cap.MANAGE_SHARES)) {
                actors.add(u);
            }
        }
        int actor = actors.get(random.nextInt(actors.size()));
        int recipient = random.nextInt(4);
        if (recipient == actor || recipient == appliance.owner) {
            return;
        }
        String role = random.nextBoolean() ? "FAMILY" : "GUEST";
        Set<Cap> roleCaps = Model.roleCaps(role, appliance.type);
        Set<Cap> explicit = null;
        if (!roleCaps.isEmpty() && random.nextBoolean()) {
            explicit = EnumSet.of(Cap.VIEW_STATUS);
            for (Cap cap : roleCaps) {
                if (random.nextBoolean()) {
                    explicit.add(cap);
                }
            }
        }
        Map<String, Object> variables = new HashMap<>(Map.of("a", appliance.id, "e",
                model.users.get(recipient).email(), "r", role));
        List<String> capNames = null;
        if (explicit != null) {
            capNames = explicit.stream().map(Enum::name).toList();
        }
        variables.put("c", capNames);
        log.add((char) ('A' + actor) + " shares #" + a + " with " + (char) ('A' + recipient) + " as " + role
                + " caps=" + capNames);
        String shareId = ok(model.users.get(actor).token(),
                "mutation($a: ID!, $e: String!, $r: Role!, $c: [Capability]) { shareAppliance(applianceId: $a, "
                        + "recipientEmail: $e, role: $r, capabilities: $c) { share { id } invitation { id } } }",
                variables, where, log).getString("data.shareAppliance.share.id");
        assertThat(shareId).as("shareAppliance returns a share for a signed-in user %s", where).isNotNull();
        Share existing = model.unrevoked(a, null, recipient);
        Share share = existing != null ? existing : new Share();
        if (existing == null) {
            share.appliance = a;
            share.recipient = recipient;
            model.shares.add(share);
        }
        share.id = shareId;
        share.role = role;
        share.caps = explicit;
        share.expired = false;
    }

    private void revoke(Model model, Random random, String where, List<String> log) {
        List<Share> shares = model.shares.stream().filter(s -> s.appliance != null).toList();
        if (shares.isEmpty()) {
            return;
        }
        Share share = shares.get(random.nextInt(shares.size()));
        List<Integer> actors = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            if (model.capabilities(u, share.appliance).contains(Cap.MANAGE_SHARES)) {
                actors.add(u);
            }
        }
        int actor = actors.get(random.nextInt(actors.size()));
        log.add((char) ('A' + actor) + " revokes share " + share.id + " (#" + share.appliance + " -> "
                + (char) ('A' + share.recipient) + ")");
        JsonPath revoked = ok(model.users.get(actor).token(),
                "mutation($s: ID!) { revokeShare(shareId: $s) { id status } }", Map.of("s", share.id), where, log);
        assertThat(revoked.getString("data.revokeShare.status")).as("revoked share status %s", where)
                .isEqualTo("REVOKED");
        model.shares.remove(share);
    }

    private void removeMember(Model model, Random random, String where, List<String> log) {
        List<Share> members = model.shares.stream().filter(s -> s.household != null && !s.expired).toList();
        if (members.isEmpty()) {
            return;
        }
        Share member = members.get(random.nextInt(members.size()));
        Household household = model.households.get(member.household);
        List<Integer> actors = new ArrayList<>(List.of(household.owner, member.recipient));
        if (!"ADMIN".equals(member.role)) {
            for (int u = 0; u < 4; u++) {
                if (u != member.recipient && u != household.owner && "ADMIN".equals(model.memberRole(member.household, u))) {
                    actors.add(u);
                }
            }
        }
        int actor = actors.get(random.nextInt(actors.size()));
        log.add((char) ('A' + actor) + " removes " + (char) ('A' + member.recipient) + " from H" + member.household);
        ok(model.users.get(actor).token(),
                "mutation($h: ID!, $u: ID!) { removeHouseholdMember(householdId: $h, userId: $u) { id } }",
                Map.of("h", household.id, "u", model.users.get(member.recipient).id()), where, log);
        model.shares.remove(member);
    }

    private void expire(Model model, Random random, String where, List<String> log) {
        List<Share> live = model.shares.stream().filter(s -> !s.expired).toList();
        if (live.isEmpty()) {
            return;
        }
        Share share = live.get(random.nextInt(live.size()));
        log.add("expire share " + share.id);
        int updated = pool.preparedQuery("update share set created_at = now() - interval '2 hours', "
                        + "expires_at = now() - interval '1 hour' where id = $1")
                .execute(Tuple.of(UUID.fromString(share.id))).await().atMost(DB_TIMEOUT).rowCount();
        assertThat(updated).as("expired share row %s", where).isOne();
        share.expired = true;
    }

    private static JsonPath ok(String token, String query, Map<String, Object> variables, String where,
            List<String> log) {
        JsonPath response = GraphQL.post(token, query, variables).then().statusCode(200).extract().jsonPath();
        assertThat(response.getList("errors"))
                .as("%s must succeed %s\noperations so far:\n  %s\nresponse: %s", query, where,
                        String.join("\n  ", log), response.prettify())
                .isNull();
        return response;
    }
}
