package dev.appliancesync.realtime.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.appliancesync.common.graphql.GraphQLDocumentParser;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.realtime.LiveField;
import dev.appliancesync.realtime.RealtimeConfig;
import dev.appliancesync.realtime.SubscriptionAdmission;
import graphql.execution.RawVariables;
import graphql.introspection.Introspection;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.OperationDefinition;
import graphql.normalized.ExecutableNormalizedField;
import graphql.normalized.ExecutableNormalizedOperation;
import graphql.normalized.ExecutableNormalizedOperationFactory;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLTypeUtil;
import graphql.validation.Validator;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Decides which subscribe requests the multiplexed path serves, and prepares them: a document is parsed and validated
 * against the running schema once per distinct text, and a selection is worked out once per document, operation and
 * variables, and shared by every subscription that sends them (so is its rendering of each item). It serves a
 * document that subscribes to one {@link LiveField} and selects only scalars and enums of its item (with aliases, fragments,
 * {@code __typename}, {@code @include/@skip} and variables, as the engine resolves them). Anything else (queries,
 * mutations, other fields, a document that does not validate, variables the engine would refuse) is left to SmallRye,
 * so its answer, errors included, is exactly what it always was.
 */
@ApplicationScoped
public class LiveSelections {

    /** Distinct documents and selections held; beyond it they are prepared again (apps send a handful). */
    static final int REMEMBERED = 256;
    /** Longer documents are prepared each time rather than held: anyone may send them. */
    static final int LONGEST_REMEMBERED_DOCUMENT = 4_096;

    private final GraphQLDocumentParser parser;
    private final Instance<GraphQLSchema> schemas;
    private final Map<String, LiveField> fields;
    private final CurrentUser users;
    private final SubscriptionAdmission admission;
    private final Map<String, Optional<Document>> documents = lru();
    private final Map<String, Optional<LiveSelection>> selections = lru();
    private final AtomicLong renderings = new AtomicLong();
    private volatile boolean enabled;

    public LiveSelections(GraphQLDocumentParser parser, Instance<GraphQLSchema> schemas, Instance<LiveField> fields,
            CurrentUser users, SubscriptionAdmission admission, RealtimeConfig config) {
        this.parser = parser;
        this.schemas = schemas;
        this.fields = fields.stream().collect(Collectors.toUnmodifiableMap(LiveField::name, Function.identity()));
        this.users = users;
        this.admission = admission;
        this.enabled = config.multiplexed();
    }

    /**
     * The prepared selection of a subscribe request ({@code query}, {@code operationName}, {@code variables}), or
     * empty to leave the request to SmallRye.
     */
    public Optional<LiveSelection> prepare(JsonObject request) {
        if (!enabled) {
            return Optional.empty();
        }
        String query = request.getString("query");
        String operationName = request.getString("operationName");
        JsonObject variables = request.getJsonObject("variables");
        if (query.length() > LONGEST_REMEMBERED_DOCUMENT) {
            return Optional.empty();
        }
        String key = operationName + '\u0000' + (variables == null ? "" : variables.encode()) + '\u0000' + query;
        synchronized (selections) {
            Optional<LiveSelection> known = selections.get(key);
            if (known != null) {
                return known;
            }
        }
        Optional<LiveSelection> prepared = document(query).flatMap(document -> select(document, operationName,
                variables));
        synchronized (selections) {
            selections.putIfAbsent(key, prepared);
            return selections.get(key);
        }
    }

    /**
     * The operation {@code id} serving {@code selection} to {@code signedIn} (a signed-in identity) on
     * {@code connection}, framed as its protocol says, not started yet; null if the field refuses its arguments at
     * once (leave the request to SmallRye, which answers it as it always has). {@code endsHere} is told when its
     * stream ends by itself (see {@link LiveOperation}). Its admission, sign-in and access read are its user's, shared
     * with their other subscriptions arriving together ({@link SubscriptionAdmission#openingFor}).
     */
    public LiveOperation operation(LiveSelection selection, SecurityIdentity signedIn, GuardedConnection connection,
            String id, LiveOperation.Framing framing, Predicate<LiveOperation> endsHere) {
        Multi<?> items;
        try {
            items = admission.openingFor(signedIn,
                    () -> selection.field().open(users.callerOf(signedIn), selection.arguments()));
        } catch (RuntimeException refused) {
            return null;
        }
        return new LiveOperation(id, selection, connection, framing, endsHere,
                operation -> admission.openingFor(signedIn, () -> items.subscribe().withSubscriber(operation)));
    }

    /** How many payloads were rendered since start (each is one execution of a selection, shared by its group). */
    public long renderings() {
        return renderings.get();
    }

    /**
     * Sends new subscriptions through SmallRye alone (false) or serves them here (true; at start, what
     * {@code appliance-sync.realtime.multiplexed} says): for tests that compare the two paths on one instance.
     */
    public void multiplexed(boolean on) {
        enabled = on;
        synchronized (selections) {
            selections.clear();
        }
    }

    private Optional<Document> document(String query) {
        synchronized (documents) {
            Optional<Document> known = documents.get(query);
            if (known != null) {
                return known;
            }
        }
        Optional<Document> valid;
        try {
            Document document = parser.parse(query);
            valid = new Validator().validateDocument(schemas.get(), document, Locale.ENGLISH).isEmpty()
                    ? Optional.of(document) : Optional.empty();
        } catch (RuntimeException notParsed) {
            valid = Optional.empty();
        }
        synchronized (documents) {
            documents.putIfAbsent(query, valid);
        }
        return valid;
    }

    private Optional<LiveSelection> select(Document document, String operationName, JsonObject variables) {
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        OperationDefinition operation = operationName == null ? (operations.size() == 1 ? operations.get(0) : null)
                : operations.stream().filter(o -> operationName.equals(o.getName())).findFirst().orElse(null);
        if (operation == null || operation.getOperation() != OperationDefinition.Operation.SUBSCRIPTION
                || operation.getSelectionSet().getSelections().size() != 1
                || !(operation.getSelectionSet().getSelections().get(0) instanceof Field root)
                || !root.getDirectives().isEmpty() || !fields.containsKey(root.getName())
                || !plain(variables)) {
            return Optional.empty();
        }
        LiveField field = fields.get(root.getName());
        GraphQLSchema schema = schemas.get();
        ExecutableNormalizedOperation normalized;
        try {
            normalized = ExecutableNormalizedOperationFactory.createExecutableNormalizedOperationWithRawVariables(
                    schema, document, operationName,
                    RawVariables.of(variables == null ? Map.of() : variables.getMap()));
        } catch (RuntimeException refused) {
            return Optional.empty(); // variables the engine refuses: it says so
        }
        if (normalized.getTopLevelFields().size() != 1) {
            return Optional.empty();
        }
        ExecutableNormalizedField top = normalized.getTopLevelFields().get(0);
        if (!(GraphQLTypeUtil.unwrapAll(top.getType(schema)) instanceof GraphQLObjectType type)) {
            return Optional.empty();
        }
        Map<String, RecordComponent> components = new LinkedHashMap<>();
        for (RecordComponent component : field.itemType().getRecordComponents()) {
            components.put(component.getName(), component);
        }
        List<LiveSelection.Entry> entries = new ArrayList<>();
        for (ExecutableNormalizedField child : top.getChildren()) {
            Optional<LiveSelection.Entry> entry = entry(child, type, components);
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            entries.add(entry.get());
        }
        return Optional.of(new LiveSelection(field, Map.copyOf(withoutNulls(top.getResolvedArguments())),
                top.getResultKey(), root.getSourceLocation(), List.copyOf(entries), renderings::incrementAndGet));
    }

    /** How one selected field is read, if it is a scalar or enum of the item, or its type name. */
    private static Optional<LiveSelection.Entry> entry(ExecutableNormalizedField child, GraphQLObjectType type,
            Map<String, RecordComponent> components) {
        if (!child.getChildren().isEmpty() || !child.getObjectTypeNames().equals(java.util.Set.of(type.getName()))) {
            return Optional.empty();
        }
        if (Introspection.TypeNameMetaFieldDef.getName().equals(child.getFieldName())) {
            return Optional.of(new LiveSelection.Entry(child.getResultKey(), null, null, type.getName()));
        }
        GraphQLFieldDefinition definition = type.getFieldDefinition(child.getFieldName());
        RecordComponent component = components.get(child.getFieldName());
        GraphQLType leaf = definition == null ? null : GraphQLTypeUtil.unwrapAll(definition.getType());
        if (component == null || !(leaf instanceof GraphQLScalarType || leaf instanceof GraphQLEnumType)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LiveSelection.Entry(child.getResultKey(),
                    MethodHandles.publicLookup().unreflect(component.getAccessor()), leaf, null));
        } catch (IllegalAccessException e) {
            return Optional.empty();
        }
    }

    /** Variables of scalar values only: what the fields served here take. */
    private static boolean plain(JsonObject variables) {
        return variables == null || variables.stream()
                .noneMatch(v -> v.getValue() instanceof JsonObject || v.getValue() instanceof JsonArray);
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> arguments) {
        Map<String, Object> present = new LinkedHashMap<>();
        arguments.forEach((name, value) -> {
            if (value != null) {
                present.put(name, value);
            }
        });
        return present;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
