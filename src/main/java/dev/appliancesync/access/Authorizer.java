package dev.appliancesync.access;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;

import dev.appliancesync.common.metrics.ServiceMetrics;
import io.quarkus.runtime.Startup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

/**
 * The one place where access is decided, on every path: Cedar policies from {@link PolicyStore}, evaluated
 * in-process. The service states facts (who, which action, which resource, how the caller is related to it, the
 * time); the policies decide.
 */
// Created at start, not on first use: its meters are scraped as zeros from the start rather than missing.
@Startup
@ApplicationScoped
public class Authorizer {

    /** The caller's relation when they hold no grant at all. */
    public static final String NO_ROLE = "NONE";

    private static final Logger LOG = Logger.getLogger(Authorizer.class);

    /** Decisions are shared across requests; bounded by clearing, since the key space is small in practice. */
    private static final int MAX_REMEMBERED = 200_000;

    // Cedar parses type names in its native library. Instance state, not static: a native executable initializes
    // classes while it is built, where Cedar's library is not loaded (NativeImageConfigTest keeps Cedar out of every
    // static initializer of ours).
    private final EntityTypeName userType = type("User");
    private final EntityTypeName groupType = type("Group");
    private final EntityTypeName applianceType = type("Appliance");
    private final EntityTypeName householdType = type("Household");
    private final EntityTypeName fleetType = type("Fleet");
    private final EntityTypeName actionType = type("Action");

    private final PolicyStore policies;
    private final Map<Object, Decision> remembered = new java.util.concurrent.ConcurrentHashMap<>();
    private final BasicAuthorizationEngine engine = new BasicAuthorizationEngine();
    private final PolicyClock clock;
    private final Timer decisionTime;
    private final Counter memoHits;

    public Authorizer(PolicyStore policies, PolicyClock clock, ServiceMetrics metrics) {
        this.policies = policies;
        this.clock = clock;
        this.decisionTime = metrics.accessDecision();
        // Counted apart from the timer: hits cost nothing, and mixing them in would hide a slow policy set.
        this.memoHits = metrics.accessMemoHits();
    }

    /**
     * Decisions for one caller at one instant. Equal questions are answered once and remembered for the rest of the
     * minute (the finest time the policies see) and the life of the policy set: a user with 200 appliances of five
     * types asks the engine a few dozen times, not 1,800, and the next refresh not at all. Callers in the same groups
     * share what is remembered, unless a policy names a user.
     */
    public Session session(Subject subject) {
        return new Session(subject, policies.current(), clock.now());
    }

    public final class Session {

        private final Subject subject;
        private final PolicyStore.Policies policySet;
        private final Instant now;
        private final List<Object> scope;

        /**
         * Only what the memo's key needs: nearly every decision is remembered (a live delivery asks two per user and
         * change), so the engine's view of the caller and the time is made by {@link #evaluate}, when one is not.
         */
        private Session(Subject subject, PolicyStore.Policies policySet, Instant now) {
            this.subject = subject;
            this.policySet = policySet;
            this.now = now;
            // Everything the engine sees besides the action, the resource and the grant. Unless a policy names a user,
            // the engine tells callers apart by their groups alone: the same question from anyone in the same groups
            // has the same answer, so it is asked once for all of them (each new recipient of a share, each subscriber
            // of a live change), not once per person.
            this.scope = List.of(policySet.version(), PolicyClock.minuteOf(now),
                    policySet.namesUsers() ? subject : subject.groups());
        }

        public Subject subject() {
            return subject;
        }

        /** May the caller, holding {@code grants} on {@code resource}, do {@code action}? Allowed if any grant allows. */
        public Decision decide(String action, Resource resource, List<Grant> grants) {
            return decide(action, resource, grants, Map.of());
        }

        /** As above, with facts of this request for the policies (e.g. the command being sent). */
        public Decision decide(String action, Resource resource, List<Grant> grants, Map<String, String> facts) {
            List<Grant> candidates = grants.isEmpty() ? java.util.Collections.singletonList(null) : grants;
            List<String> denying = new ArrayList<>();
            for (Grant grant : candidates) {
                Object key = key(action, resource, grant, facts);
                Decision decision = remembered.get(key);
                if (decision == null) {
                    decision = evaluate(action, resource, grant, facts);
                    if (remembered.size() >= MAX_REMEMBERED) {
                        remembered.clear();
                    }
                    remembered.put(key, decision);
                } else {
                    memoHits.increment();
                }
                if (decision.allowed()) {
                    return decision;
                }
                denying.addAll(decision.policies());
            }
            return new Decision(false, List.copyOf(new LinkedHashSet<>(denying)));
        }

        /** Every capability the grants allow on the appliance, in declaration order. */
        public List<Capability> capabilities(Resource.Appliance appliance, List<Grant> grants) {
            List<Capability> allowed = new ArrayList<>();
            for (Capability capability : Capability.values()) {
                if (decide(capability.name(), appliance, grants).allowed()) {
                    allowed.add(capability);
                }
            }
            return allowed;
        }

        /**
         * The key covers everything the engine sees. An appliance's id (or its household's) only matters when some
         * policy names an appliance (or a household); otherwise its type stands for it.
         */
        private Object key(String action, Resource resource, Grant grant, Map<String, String> facts) {
            Object resourceKey = resource;
            if (resource instanceof Resource.Appliance appliance && !policySet.namesAppliances()) {
                resourceKey = List.of(appliance.type(),
                        policySet.namesHouseholds() ? String.valueOf(appliance.householdId()) : "");
            }
            return List.of(scope, action, resourceKey, grant == null ? NO_ROLE : grant, facts);
        }

        private Decision evaluate(String action, Resource resource, Grant grant, Map<String, String> facts) {
            ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
            Map<String, Value> context = new LinkedHashMap<>();
            context.put("hourUtc", new PrimLong(utc.getHour()));
            context.put("minuteUtc", new PrimLong(utc.getMinute()));
            context.put("weekdayUtc", new PrimString(utc.getDayOfWeek().name()));
            context.put("role", new PrimString(grant == null ? NO_ROLE : grant.role().name()));
            if (grant != null && grant.capabilities() != null) {
                context.put("capabilities", new CedarList(grant.capabilities().stream()
                        .map(c -> (Value) new PrimString(c.name())).toList()));
            }
            facts.forEach((name, value) -> context.put(name, new PrimString(value)));
            EntityUID principal = new EntityUID(userType, subject.userId().toString());
            Set<EntityUID> groups = new LinkedHashSet<>();
            Set<Entity> entities = new LinkedHashSet<>();
            for (String group : subject.groups()) {
                EntityUID uid = new EntityUID(groupType, group);
                groups.add(uid);
                entities.add(new Entity(uid));
            }
            entities.add(new Entity(principal, Map.of(), groups));
            EntityUID resourceUid = resourceEntity(resource, entities);
            AuthorizationRequest request = new AuthorizationRequest(principal, new EntityUID(actionType, action),
                    resourceUid, context);
            long started = System.nanoTime();
            try {
                AuthorizationResponse response = engine.isAuthorized(request, policySet.set(), entities);
                if (response.success.isEmpty()) {
                    LOG.errorf("Cedar could not evaluate %s on %s: %s", action, resourceUid, response.errors);
                    return new Decision(false, List.of());
                }
                AuthorizationSuccessResponse success = response.success.get();
                if (!success.getErrors().isEmpty()) {
                    // A policy that errors (e.g. reads a missing attribute) is skipped by Cedar: say so, loudly.
                    LOG.warnf("Cedar policies failed while deciding %s on %s: %s", action, resourceUid, success.getErrors());
                }
                return new Decision(success.isAllowed(), success.getReason().stream().sorted().toList());
            } catch (Exception e) {
                LOG.errorf(e, "Cedar evaluation failed for %s on %s; denying", action, resourceUid);
                return new Decision(false, List.of());
            } finally {
                decisionTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
    }

    private EntityUID resourceEntity(Resource resource, Set<Entity> entities) {
        return switch (resource) {
            case Resource.Appliance appliance -> {
                EntityUID uid = new EntityUID(applianceType, appliance.id().toString());
                Set<EntityUID> parents = new LinkedHashSet<>();
                if (appliance.householdId() != null) {
                    EntityUID household = new EntityUID(householdType, appliance.householdId().toString());
                    parents.add(household);
                    entities.add(new Entity(household));
                }
                entities.add(new Entity(uid, Map.of("type", new PrimString(appliance.type())), parents));
                yield uid;
            }
            case Resource.Household household -> {
                EntityUID uid = new EntityUID(householdType, household.id().toString());
                entities.add(new Entity(uid));
                yield uid;
            }
            case Resource.Fleet fleet -> {
                EntityUID uid = new EntityUID(fleetType, "appliances");
                entities.add(new Entity(uid));
                yield uid;
            }
        };
    }

    private static EntityTypeName type(String name) {
        return EntityTypeName.parse(name).orElseThrow();
    }
}
