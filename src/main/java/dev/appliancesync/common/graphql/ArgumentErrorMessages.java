package dev.appliancesync.common.graphql;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import graphql.language.AstPrinter;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLEnumValueDefinition;
import graphql.schema.GraphQLSchema;

/**
 * Rewrites graphql-java's messages about arguments and variables, which print its syntax tree
 * ({@code argument 'role' with value 'EnumValue{name='EXPLODE'}' is not a valid 'Role'}) or Java types
 * ({@code but it was a 'HashMap'}), into sentences that name the argument and say what it must be.
 */
final class ArgumentErrorMessages {

    private static final Pattern PREFIX = Pattern.compile("^Validation error \\((\\w+)(?:@\\[([^\\]]*)\\])?\\) : ");
    private static final Pattern NULL_ARGUMENT = Pattern.compile("Null value for non-null field argument '(\\w+)'");
    /** An argument, and where inside it when the value is a list or an object: {@code capabilities[1]}. */
    private static final String ARGUMENT = "argument '(\\w+)((?:\\[\\d+\\]|\\.\\w+)*)'";
    private static final Pattern NULL_VALUE = Pattern.compile(ARGUMENT + " with value .* must not be null",
            Pattern.DOTALL);
    private static final Pattern WRONG_TYPE = Pattern.compile(
            ARGUMENT + " with value .* is not a valid '([\\w\\[\\]!]+)'", Pattern.DOTALL);
    /** An input object literal with a field its type does not define. */
    private static final Pattern EXTRA_FIELD = Pattern.compile(
            ARGUMENT + " with value .* contains a field not in '(\\w+)': '(\\w+)'", Pattern.DOTALL);
    /** An input object literal without fields its type requires ({3} is a list as Java prints one: [a, b]). */
    private static final Pattern MISSING_FIELDS = Pattern.compile(
            ARGUMENT + " with value .* is missing required fields '\\[([\\w, ]*)\\]'", Pattern.DOTALL);
    /** A list or a scalar where an input object belongs. */
    private static final Pattern NOT_OBJECT = Pattern.compile(ARGUMENT + " with value .* must be an object type",
            Pattern.DOTALL);
    /** The same in a variable's value; graphql-java does not say which variable, the declared types do. */
    private static final Pattern EXTRA_VARIABLE_FIELD = Pattern.compile(
            "The variables input contains a field name '(\\w+)' that is not defined for input object type '(\\w+)'");
    private static final Pattern VARIABLE = Pattern.compile("Variable '(\\w+)' ");
    /** Anything that betrays the implementation; a message still holding one is replaced as a whole. */
    private static final List<String> INTERNALS = List.of("Value{", "java.", "dev.appliancesync", "Exception",
            "SRGQL", "HashMap", "ArrayList", "BigDecimal", "graphql.");
    private static final Map<String, String> SCALARS = Map.of(
            "String", "a string", "ID", StrictScalars.ID, "Int", StrictScalars.INT, "Boolean", "true or false",
            "Float", "a number", "DateTime", StrictScalars.DATE_TIME, "JSON", StrictScalars.JSON,
            "Long", "a whole number from -(2^53 - 1) to 2^53 - 1");

    private final GraphQLSchema schema;
    private final String query;
    private Map<String, String> variableTypes;

    ArgumentErrorMessages(GraphQLSchema schema, String query) {
        this.schema = schema;
        this.query = query;
    }

    /** The plain sentence for a validation error, or empty when the message is not about an argument's value. */
    Optional<String> rewrite(String message, List<Object> path) {
        Matcher prefix = PREFIX.matcher(message);
        String field = prefix.find() && prefix.group(2) != null ? lastSegment(prefix.group(2))
                : path != null && !path.isEmpty() ? String.valueOf(path.get(path.size() - 1)) : null;
        String of = field == null ? "" : " of " + field;
        Matcher nullArgument = NULL_ARGUMENT.matcher(message);
        if (nullArgument.find()) {
            return Optional.of("Argument '" + nullArgument.group(1) + "'" + of + " must not be null");
        }
        Matcher nullValue = NULL_VALUE.matcher(message);
        if (nullValue.find()) {
            return Optional.of(argument(nullValue, of) + " must not be null");
        }
        Matcher wrongType = WRONG_TYPE.matcher(message);
        if (wrongType.find()) {
            return Optional.of(argument(wrongType, of) + " must be " + describe(wrongType.group(3)));
        }
        Matcher extraField = EXTRA_FIELD.matcher(message);
        if (extraField.find()) {
            return Optional.of(argument(extraField, of) + " has a field '" + extraField.group(4) + "' that "
                    + extraField.group(3) + " does not define");
        }
        Matcher missingFields = MISSING_FIELDS.matcher(message);
        if (missingFields.find()) {
            return Optional.of(argument(missingFields, of) + " lacks the required fields " + missingFields.group(3));
        }
        Matcher notObject = NOT_OBJECT.matcher(message);
        if (notObject.find()) {
            return Optional.of(argument(notObject, of) + " must be an object");
        }
        Matcher extraVariableField = EXTRA_VARIABLE_FIELD.matcher(message);
        if (extraVariableField.find()) {
            return Optional.of(extraVariableFieldMessage(extraVariableField.group(1), extraVariableField.group(2)));
        }
        Matcher variable = VARIABLE.matcher(message);
        if (variable.lookingAt()) {
            return Optional.of(variableMessage(variable.group(1), message));
        }
        return Optional.empty();
    }

    private static String argument(Matcher match, String of) {
        String inside = match.group(2).isEmpty() ? "" : ", at " + match.group(2) + ",";
        return "Argument '" + match.group(1) + "'" + of + inside;
    }

    /** What any message may say: itself with graphql-java's jargon prefix gone, unless it shows internals. */
    static String clean(String message, String fallback) {
        String plain = PREFIX.matcher(message).replaceFirst("");
        return INTERNALS.stream().anyMatch(plain::contains) ? fallback : plain;
    }

    private String variableMessage(String name, String message) {
        String declared = variableTypes().get(name);
        if (declared == null) {
            return "Variable '" + name + "' has a value of the wrong type";
        }
        boolean nullForNonNull = message.contains("coerced Null value") && declared.endsWith("!")
                && !declared.startsWith("[");
        return nullForNonNull ? "Variable '" + name + "' must not be null: it must be " + describe(declared)
                : "Variable '" + name + "' must be " + describe(declared);
    }

    /** Names the variables declared with the input type, since the engine's message names only the type. */
    private String extraVariableFieldMessage(String field, String type) {
        List<String> declaredWithType = variableTypes().entrySet().stream()
                .filter(variable -> variable.getValue().replaceAll("[\\[\\]!]", "").equals(type))
                .map(variable -> "'" + variable.getKey() + "'").sorted().toList();
        String which = declaredWithType.isEmpty() ? "A variable" : "Variable " + String.join(" or ", declaredWithType);
        return which + " has a field '" + field + "' that " + type + " does not define";
    }

    /** A type reference such as {@code [Capability!]!} in words. */
    private String describe(String type) {
        boolean nonNull = type.endsWith("!");
        String nullable = nonNull ? type.substring(0, type.length() - 1) : type;
        if (nullable.startsWith("[") && nullable.endsWith("]")) {
            String item = nullable.substring(1, nullable.length() - 1);
            return "a list of items that are each " + describe(item) + (item.endsWith("!") ? ", never null" : "");
        }
        if (schema != null && schema.getType(nullable) instanceof GraphQLEnumType enumType) {
            return "one of " + enumType.getValues().stream().map(GraphQLEnumValueDefinition::getName)
                    .collect(Collectors.joining(", "));
        }
        return SCALARS.getOrDefault(nullable, "a valid " + nullable);
    }

    private Map<String, String> variableTypes() {
        if (variableTypes == null) {
            variableTypes = new HashMap<>();
            try {
                Document document = Parser.parse(query);
                document.getDefinitionsOfType(OperationDefinition.class).forEach(operation -> operation
                        .getVariableDefinitions().forEach(definition -> variableTypes
                                .putIfAbsent(definition.getName(), AstPrinter.printAst(definition.getType()))));
            } catch (RuntimeException unparseable) {
                // Then the messages say less; the request was refused either way.
            }
        }
        return variableTypes;
    }

    private static String lastSegment(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
