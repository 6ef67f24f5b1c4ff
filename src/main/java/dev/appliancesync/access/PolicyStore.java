package dev.appliancesync.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.ValidationRequest;
import com.cedarpolicy.model.ValidationResponse;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;

import io.quarkus.runtime.Startup;

/**
 * The policy set in force: the defaults shipped in the jar plus the operator's directory, validated against the
 * schema. The directory is watched; a change that does not parse or validate is logged and the previous set stays.
 * A new set in force is announced ({@link Reloaded}): what was allowed before may not be any more, and whoever holds
 * access open (live subscriptions) must decide again.
 */
@Startup
@ApplicationScoped
public class PolicyStore {

    private static final Logger LOG = Logger.getLogger(PolicyStore.class);
    private static final String DEFAULTS = "access/default-policies.cedar";
    private static final String SCHEMA = "access/appliance-sync.cedarschema";
    /** An entity literal in a policy's JSON form, e.g. {"type":"Appliance","id":"..."}. */
    private static final Pattern APPLIANCE_LITERAL = Pattern.compile("\"type\":\"Appliance\",\"id\"");
    private static final Pattern HOUSEHOLD_LITERAL = Pattern.compile("\"type\":\"Household\",\"id\"");
    private static final Pattern USER_LITERAL = Pattern.compile("\"type\":\"User\",\"id\"");

    /** A time fact's name ({@link PolicyClock#TIME_FACTS}) as a policy's JSON form reads it from the context. */
    private static final Pattern TIME_FACT = Pattern.compile(PolicyClock.TIME_FACTS.stream().sorted()
            .map(name -> "\"" + name + "\"").collect(java.util.stream.Collectors.joining("|")));

    /**
     * A loaded, validated policy set. {@code namesAppliances} / {@code namesHouseholds}: some policy names a particular
     * appliance or household, so decisions depend on which one it is, not only on its type. {@code namesUsers}: some
     * policy names a particular user, so decisions depend on who asks, not only on their groups (a User has no
     * attributes in the schema: a literal is the only way a policy tells one user from another in the same groups).
     * {@code readsTime}: some policy reads the time ({@code context.hourUtc}...), so a decision can change when the
     * minute does.
     */
    public record Policies(PolicySet set, long version, List<String> sources, boolean namesAppliances,
            boolean namesHouseholds, boolean namesUsers, boolean readsTime) {
    }

    /** A new policy set came into force at {@code at}, replacing an earlier one (not sent for the first). */
    public record Reloaded(Policies policies, Instant at) {
    }

    private final AccessConfig config;
    private final Event<Reloaded> reloaded;
    private final BasicAuthorizationEngine engine = new BasicAuthorizationEngine();
    private final Schema schema;
    private final List<Policy> defaults;
    private final ScheduledExecutorService watcher;
    private volatile Policies current;
    private volatile String loadedFingerprint;
    private volatile String lastError;

    public PolicyStore(AccessConfig config, Event<Reloaded> reloaded) {
        this.config = config;
        this.reloaded = reloaded;
        try {
            this.schema = Schema.parse(Schema.JsonOrCedar.Cedar, resource(SCHEMA));
            this.defaults = parse(resource(DEFAULTS), "default");
        } catch (Exception e) {
            throw new IllegalStateException("The built-in Cedar schema or default policies do not load", e);
        }
        reload();
        if (current == null) {
            throw new IllegalStateException("Operator policies in " + config.policyDir().orElseThrow()
                    + " do not load: " + lastError);
        }
        if (config.policyDir().isPresent()) {
            long every = config.policyReloadInterval().toMillis();
            watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("cedar-policy-watcher").factory());
            watcher.scheduleWithFixedDelay(this::reloadQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    public Policies current() {
        return current;
    }

    /** Why the operator directory last failed to load, if its current content is not in force. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Loads the operator directory if it changed since the last load. */
    public synchronized void reload() {
        Map<String, String> files = operatorFiles();
        String fingerprint = files.toString();
        if (current != null && fingerprint.equals(loadedFingerprint)) {
            return;
        }
        Reloaded announce = null;
        try {
            List<Policy> all = new ArrayList<>(defaults);
            files.forEach((name, text) -> all.addAll(parse(text, name)));
            Set<String> ids = new LinkedHashSet<>();
            for (Policy policy : all) {
                if (!ids.add(policy.getID())) {
                    throw new IllegalArgumentException("policy id " + policy.getID() + " is used twice");
                }
            }
            PolicySet set = new PolicySet(new LinkedHashSet<>(all));
            ValidationResponse validation = engine.validate(new ValidationRequest(schema, set));
            if (!validation.validationPassed()) {
                throw new IllegalArgumentException("policies do not match the schema: " + validation);
            }
            set.cache();
            boolean namesAppliances = false;
            boolean namesHouseholds = false;
            boolean namesUsers = false;
            boolean readsTime = false;
            for (Policy policy : all) {
                String json = policy.toJson().replace(" ", "");
                namesAppliances |= APPLIANCE_LITERAL.matcher(json).find();
                namesHouseholds |= HOUSEHOLD_LITERAL.matcher(json).find();
                namesUsers |= USER_LITERAL.matcher(json).find();
                readsTime |= TIME_FACT.matcher(json).find();
            }
            Policies previous = current;
            long version = previous == null ? 1 : previous.version() + 1;
            current = new Policies(set, version, List.copyOf(files.keySet()), namesAppliances, namesHouseholds,
                    namesUsers, readsTime);
            loadedFingerprint = fingerprint;
            lastError = null;
            LOG.infof("Cedar policies v%d in force: %d policies (%d default, operator files %s)", version, all.size(),
                    defaults.size(), files.keySet());
            if (previous != null) {
                announce = new Reloaded(current, Instant.now());
            }
        } catch (Exception e) {
            loadedFingerprint = fingerprint;
            lastError = e.getMessage();
            LOG.errorf("Operator policies not loaded, %s stays in force: %s",
                    current == null ? "nothing" : "v" + current.version(), e.getMessage());
        }
        if (announce != null) {
            // Outside the try: an observer's failure is not the directory's.
            reloaded.fire(announce);
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.error("Policy directory check failed", e);
        }
    }

    /** File name to content, sorted by name; missing directory means no operator policies. */
    private Map<String, String> operatorFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        Optional<Path> dir = config.policyDir();
        if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
            return files;
        }
        try (Stream<Path> listing = Files.list(dir.get())) {
            for (Path file : listing.filter(p -> p.getFileName().toString().endsWith(".cedar")).sorted().toList()) {
                files.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read policy directory " + dir.get(), e);
        }
        return files;
    }

    /** Parses a file's policies, naming each by its @id annotation or by file and position. */
    private static List<Policy> parse(String text, String origin) {
        try {
            List<Policy> policies = new ArrayList<>();
            Set<String> ids = new LinkedHashSet<>();
            int position = 0;
            for (Policy parsed : PolicySet.parsePolicies(text).policies) {
                String id = Optional.ofNullable(parsed.getAnnotations().get("id")).orElse(origin + "#" + position);
                if (!ids.add(id)) {
                    throw new IllegalArgumentException("duplicate policy id " + id);
                }
                policies.add(new Policy(parsed.getSource(), id));
                position++;
            }
            return policies;
        } catch (Exception e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PolicyStore.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @PreDestroy
    void stop() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
