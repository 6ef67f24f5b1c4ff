package dev.appliancesync.common.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Every kind of malformed argument the schema lets a client send, to every mutation of the running schema (read by
 * introspection, so a new mutation is covered without touching this test), both as a variable (what apps send) and
 * inline in the document: each gets a documented code and a message a person can read, naming the argument, never
 * INTERNAL and never a Java class or a graphql-java object.
 */
@QuarkusTest
class MalformedArgumentsTest {

    private static final String MUTATIONS = """
            { __schema {
                mutationType { fields { name type { ...Ref } args { name type { ...Ref } } } }
                types { name kind enumValues { name } } } }
            fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
            """;
    /** Codes of a request refused for its arguments, before any business rule ran. */
    private static final Set<String> REFUSED_ARGUMENT = Set.of(ErrorCode.GRAPHQL_VALIDATION_FAILED.name(),
            ErrorCode.VALIDATION.name());
    private static final Set<String> DOCUMENTED = Arrays.stream(ErrorCode.values()).map(Enum::name)
            .filter(code -> !code.equals(ErrorCode.INTERNAL.name())).collect(Collectors.toSet());
    private static final List<String> LEAKS = List.of("dev.appliancesync", "java.", "Value{", "Exception", "HashMap",
            "graphql.");
    /** Longer than any string argument may be, well within the HTTP body limit. */
    private static final String OVERSIZE = "x".repeat(20_000);
    /**
     * Well-formed values of the input object types mutations take, as a JSON variable and as a GraphQL literal (where
     * enum values are bare, so the literal is written out rather than derived).
     */
    private static final Map<String, InputValue> INPUT_OBJECTS = Map.of(
            "AlarmRuleInput", new InputValue(Map.of("name", "Door open", "applianceTypes", List.of("FRIDGE"),
                    "attribute", "DoorOpened", "equals", "true", "durationSeconds", 60),
                    "{name: \"Door open\", applianceTypes: [FRIDGE], attribute: \"DoorOpened\", equals: \"true\", "
                            + "durationSeconds: 60}"),
            "FleetQuery", new InputValue(Map.of("types", List.of("FRIDGE")), "{types: [FRIDGE]}"));

    private String token;
    private Map<String, List<String>> enumValues;

    @BeforeEach
    void signIn() {
        token = Tokens.forUser(Tokens.uniqueUsername("malformed"));
    }

    @Test
    void everyMalformedArgumentOfEveryMutationGetsADocumentedCodeAndAPlainMessage() {
        JsonObject schema = new JsonObject(GraphQL.post(token, MUTATIONS).then().statusCode(200).extract().asString())
                .getJsonObject("data").getJsonObject("__schema");
        enumValues = new LinkedHashMap<>();
        for (Object type : schema.getJsonArray("types")) {
            JsonObject named = (JsonObject) type;
            if ("ENUM".equals(named.getString("kind"))) {
                enumValues.put(named.getString("name"), named.getJsonArray("enumValues").stream()
                        .map(value -> ((JsonObject) value).getString("name")).toList());
            }
        }
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Object field : schema.getJsonObject("mutationType").getJsonArray("fields")) {
            JsonObject mutation = (JsonObject) field;
            List<Argument> arguments = mutation.getJsonArray("args").stream()
                    .map(arg -> Argument.of((JsonObject) arg)).toList();
            for (Argument target : arguments) {
                for (Malformed malformed : malformedValuesOf(target)) {
                    cases++;
                    for (boolean asVariables : new boolean[] {true, false}) {
                        failures.addAll(check(mutation.getString("name"), selectionFor(mutation), arguments, target,
                                malformed, asVariables));
                    }
                }
            }
        }
        assertThat(cases).as("malformed cases drawn from the schema").isGreaterThan(50);
        assertThat(failures).as("answers that break the error contract").isEmpty();
    }

    /** One argument as introspection describes it. */
    record Argument(String name, String typeName, boolean nonNull, boolean list, boolean itemNonNull) {

        static Argument of(JsonObject arg) {
            JsonObject type = arg.getJsonObject("type");
            boolean nonNull = "NON_NULL".equals(type.getString("kind"));
            if (nonNull) {
                type = type.getJsonObject("ofType");
            }
            boolean list = "LIST".equals(type.getString("kind"));
            boolean itemNonNull = false;
            if (list) {
                type = type.getJsonObject("ofType");
                itemNonNull = "NON_NULL".equals(type.getString("kind"));
                if (itemNonNull) {
                    type = type.getJsonObject("ofType");
                }
            }
            return new Argument(arg.getString("name"), type.getString("name"), nonNull, list, itemNonNull);
        }

        String declaration() {
            String item = typeName + (itemNonNull ? "!" : "");
            return (list ? "[" + item + "]" : item) + (nonNull ? "!" : "");
        }
    }

    /** A well-formed input object, as a variable and as a literal. */
    record InputValue(Object variable, String literal) {
    }

    /** A value to send, as a JSON variable and as a GraphQL literal; {@code enumName} renders bare inline. */
    record Malformed(String kind, Object variable, String literal, boolean refusedBeforeRunning) {
    }

    private List<Malformed> malformedValuesOf(Argument argument) {
        List<Malformed> values = new ArrayList<>();
        if (argument.nonNull()) {
            values.add(new Malformed("null", null, "null", true));
        }
        if (argument.list()) {
            Object item = validValue(argument.typeName());
            values.add(new Malformed("null list item", Arrays.asList(item, null),
                    "[" + literal(argument.typeName(), item) + ", null]", true));
        }
        for (Malformed item : malformedScalars(argument.typeName())) {
            values.add(argument.list()
                    ? new Malformed(item.kind() + " in a list", Arrays.asList(item.variable()),
                            "[" + item.literal() + "]", item.refusedBeforeRunning())
                    : item);
        }
        return values;
    }

    private List<Malformed> malformedScalars(String typeName) {
        Map<String, Object> object = Map.of("unit", "C");
        String objectLiteral = "{unit: \"C\"}";
        if (enumValues.containsKey(typeName)) {
            return List.of(new Malformed("wrong enum", "EXPLODE", "EXPLODE", true),
                    new Malformed("string for enum", "EXPLODE", "\"" + enumValues.get(typeName).get(0) + "\"", true),
                    new Malformed("number for enum", 42, "42", true));
        }
        return switch (typeName) {
            case "String", "ID" -> List.of(new Malformed("object for string", object, objectLiteral, true),
                    new Malformed("list of objects for string", List.of(object), "[" + objectLiteral + "]", true),
                    new Malformed("oversize", OVERSIZE, "\"" + OVERSIZE + "\"", false));
            case "Int", "Long", "BigInteger" -> List.of(new Malformed("string for number", "ten", "\"ten\"", true),
                    new Malformed("fraction", 1.5, "1.5", true),
                    new Malformed("too large", 1L << 60, String.valueOf(1L << 60), true),
                    new Malformed("object for number", object, objectLiteral, true));
            case "Boolean" -> List.of(new Malformed("string for boolean", "yes", "\"yes\"", true));
            case "DateTime" -> List.of(new Malformed("wrong date", "yesterday", "\"yesterday\"", true),
                    new Malformed("date without offset", "2026-01-01T00:00:00", "\"2026-01-01T00:00:00\"", true),
                    new Malformed("number for date", 42, "42", true),
                    new Malformed("object for date", object, objectLiteral, true));
            case "JSON" -> List.of(new Malformed("string for object", "unit=C", "\"unit=C\"", true),
                    new Malformed("array for object", List.of(1, 2), "[1, 2]", true),
                    new Malformed("number for object", 42, "42", true),
                    new Malformed("oversize", OVERSIZE, "\"" + OVERSIZE + "\"", true));
            default -> List.of(new Malformed("object for scalar", object, objectLiteral, true));
        };
    }

    /** A well-formed value, so that only the argument under test is wrong. */
    private Object validValue(String typeName) {
        if (enumValues.containsKey(typeName)) {
            return enumValues.get(typeName).get(0);
        }
        if (INPUT_OBJECTS.containsKey(typeName)) {
            return INPUT_OBJECTS.get(typeName).variable();
        }
        return switch (typeName) {
            case "ID" -> "00000000-0000-4000-8000-000000000000";
            case "String" -> "someone@example.com";
            case "Int", "Long", "BigInteger" -> 1;
            case "Boolean" -> true;
            case "DateTime" -> "2030-01-01T00:00:00Z";
            case "JSON" -> "{}";
            default -> throw new IllegalStateException("No well-formed value for " + typeName + ": teach this test");
        };
    }

    private String literal(String typeName, Object value) {
        if (enumValues.containsKey(typeName)) {
            return String.valueOf(value);
        }
        if (INPUT_OBJECTS.containsKey(typeName)) {
            return INPUT_OBJECTS.get(typeName).literal();
        }
        return value instanceof String text ? new io.vertx.core.json.JsonArray().add(text).encode()
                .replaceAll("^\\[|\\]$", "") : String.valueOf(value);
    }

    private List<String> check(String mutation, String selection, List<Argument> arguments, Argument target, Malformed malformed,
            boolean asVariables) {
        Map<String, Object> variables = new LinkedHashMap<>();
        List<String> declarations = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        for (Argument argument : arguments) {
            boolean isTarget = argument == target;
            if (!isTarget && !argument.nonNull()) {
                continue;
            }
            Object value = isTarget ? malformed.variable() : wellFormed(argument);
            if (asVariables) {
                declarations.add("$" + argument.name() + ": " + argument.declaration());
                variables.put(argument.name(), value);
                passed.add(argument.name() + ": $" + argument.name());
            } else {
                passed.add(argument.name() + ": " + (isTarget ? malformed.literal()
                        : argument.list() ? "[" + literal(argument.typeName(), validValue(argument.typeName())) + "]"
                                : literal(argument.typeName(), value)));
            }
        }
        String document = "mutation" + (declarations.isEmpty() ? "" : "(" + String.join(", ", declarations) + ")")
                + " { " + mutation + "(" + String.join(", ", passed) + ") " + selection + " }";
        String body = GraphQL.post(token, document, variables).then().extract().asString();
        String what = mutation + "(" + target.name() + ": " + malformed.kind() + (asVariables ? ", variable" : ", inline")
                + ") answered " + abbreviate(body);
        List<String> failures = new ArrayList<>();
        JsonObject answer;
        try {
            answer = new JsonObject(body);
        } catch (RuntimeException notJson) {
            return List.of(what + ": not a GraphQL response");
        }
        if (answer.getJsonArray("errors") == null || answer.getJsonArray("errors").isEmpty()) {
            return List.of(what + ": no error");
        }
        for (Object each : answer.getJsonArray("errors")) {
            JsonObject error = (JsonObject) each;
            JsonObject extensions = error.getJsonObject("extensions", new JsonObject());
            String code = extensions.getString("code");
            String message = error.getString("message", "");
            if (!DOCUMENTED.contains(code)) {
                failures.add(what + ": undocumented code " + code);
            } else if (malformed.refusedBeforeRunning() && !REFUSED_ARGUMENT.contains(code)) {
                failures.add(what + ": " + code + " instead of a validation error");
            }
            LEAKS.stream().filter(message::contains).findFirst()
                    .ifPresent(leak -> failures.add(what + ": the message shows " + leak));
            if (ErrorCode.GRAPHQL_VALIDATION_FAILED.name().equals(code)
                    && !message.contains("'" + target.name() + "'")) {
                failures.add(what + ": the message does not name " + target.name());
            }
            if (extensions.containsKey("classification")) {
                failures.add(what + ": undocumented extensions.classification");
            }
        }
        return failures;
    }

    private Object wellFormed(Argument argument) {
        Object value = validValue(argument.typeName());
        return argument.list() ? List.of(value) : value;
    }

    /** A mutation returning an object needs a selection; one returning a scalar or an enum must have none. */
    private static String selectionFor(JsonObject mutation) {
        JsonObject type = mutation.getJsonObject("type");
        while (type.getString("name") == null) {
            type = type.getJsonObject("ofType");
        }
        return Set.of("SCALAR", "ENUM").contains(type.getString("kind")) ? "" : "{ __typename }";
    }

    private static String abbreviate(String body) {
        return body.length() > 400 ? body.substring(0, 400) + "..." : body;
    }
}
