package dev.appliancesync.common.graphql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLSchemaElement;
import graphql.schema.GraphQLTypeVisitorStub;
import graphql.schema.SchemaTransformer;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Puts a strict check in front of the scalars clients send us (ID, Int, DateTime, JSON), so that every malformed
 * argument is refused while the request is validated, before any of our code runs. The JSON scalar also accepts a JSON
 * object, as Apollo and Amplify send one for AWSJSON, besides a string holding one.
 */
final class StrictScalars {

    /** The one sentence every client sees for a DateTime that is not one: the offset is what apps forget. */
    static final String DATE_TIME = "a date and time with an offset, such as 2026-01-01T00:00:00Z";
    static final String JSON = "a JSON object, or a string holding one";
    static final String INT = "a whole number from -2147483648 to 2147483647";
    static final String ID = "an id (a string)";

    private static final Map<String, CheckedCoercing.InputCheck> CHECKS = Map.of(
            "ID", new IdCheck(), "Int", new IntCheck(), "DateTime", new DateTimeCheck(), "JSON", new JsonCheck());

    private StrictScalars() {
    }

    static GraphQLSchema apply(GraphQLSchema schema) {
        return SchemaTransformer.transformSchema(schema, new GraphQLTypeVisitorStub() {
            @Override
            public TraversalControl visitGraphQLScalarType(GraphQLScalarType scalar,
                    TraverserContext<GraphQLSchemaElement> context) {
                CheckedCoercing.InputCheck check = CHECKS.get(scalar.getName());
                if (check == null || scalar.getCoercing() instanceof CheckedCoercing) {
                    return TraversalControl.CONTINUE;
                }
                return changeNode(context, scalar.transform(builder -> builder
                        .coercing(new CheckedCoercing(scalar.getCoercing(), check))));
            }
        });
    }

    private static final class IdCheck implements CheckedCoercing.InputCheck {
        @Override
        public Object value(Object input) {
            if (input instanceof String || isWhole(input)) {
                return input;
            }
            throw new IllegalArgumentException("Expected " + ID);
        }

        @Override
        public Value<?> literal(Value<?> input) {
            if (input instanceof StringValue || input instanceof IntValue) {
                return input;
            }
            throw new IllegalArgumentException("Expected " + ID);
        }
    }

    private static final class IntCheck implements CheckedCoercing.InputCheck {
        @Override
        public Object value(Object input) {
            if (isWhole(input) && fitsInt(new BigDecimal(input.toString()).toBigIntegerExact())) {
                return input;
            }
            throw new IllegalArgumentException("Expected " + INT);
        }

        @Override
        public Value<?> literal(Value<?> input) {
            if (input instanceof IntValue whole && fitsInt(whole.getValue())) {
                return input;
            }
            throw new IllegalArgumentException("Expected " + INT);
        }

        private static boolean fitsInt(BigInteger value) {
            return value.bitLength() < 32;
        }
    }

    private static final class DateTimeCheck implements CheckedCoercing.InputCheck {
        @Override
        public Object value(Object input) {
            if (input instanceof String text && isDateTime(text)) {
                return input;
            }
            throw new IllegalArgumentException("Expected " + DATE_TIME);
        }

        @Override
        public Value<?> literal(Value<?> input) {
            if (input instanceof StringValue text && isDateTime(text.getValue())) {
                return input;
            }
            throw new IllegalArgumentException("Expected " + DATE_TIME);
        }

        private static boolean isDateTime(String text) {
            try {
                OffsetDateTime.parse(text);
                return true;
            } catch (DateTimeParseException e) {
                return false;
            }
        }
    }

    /** Hands the delegate (SmallRye's string scalar behind {@link Json}) a string, whichever form was sent. */
    private static final class JsonCheck implements CheckedCoercing.InputCheck {
        @Override
        public Object value(Object input) {
            if (input instanceof String text) {
                return isObject(text) ? input : refuse();
            }
            if (input instanceof Map<?, ?> object) {
                return new JsonObject(stringKeys(object)).encode();
            }
            throw new IllegalArgumentException("Expected " + JSON);
        }

        @Override
        public Value<?> literal(Value<?> input) {
            if (input instanceof StringValue text) {
                return isObject(text.getValue()) ? input : refuse();
            }
            if (input instanceof ObjectValue object) {
                return StringValue.of(((JsonObject) plain(object)).encode());
            }
            throw new IllegalArgumentException("Expected " + JSON);
        }

        private static boolean isObject(String text) {
            try {
                new JsonObject(text);
                return true;
            } catch (RuntimeException notAnObject) {
                return false;
            }
        }

        private static <T> T refuse() {
            throw new IllegalArgumentException("Expected " + JSON);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> stringKeys(Map<?, ?> object) {
            return (Map<String, Object>) object;
        }

        private static Object plain(Value<?> value) {
            if (value instanceof ObjectValue object) {
                JsonObject json = new JsonObject();
                object.getObjectFields().forEach(field -> json.put(field.getName(), plain(field.getValue())));
                return json;
            }
            if (value instanceof ArrayValue array) {
                JsonArray json = new JsonArray();
                array.getValues().forEach(item -> json.add(plain(item)));
                return json;
            }
            if (value instanceof StringValue text) {
                return text.getValue();
            }
            if (value instanceof IntValue whole) {
                return whole.getValue();
            }
            if (value instanceof FloatValue number) {
                return number.getValue();
            }
            if (value instanceof BooleanValue bool) {
                return bool.isValue();
            }
            if (value instanceof EnumValue name) {
                return name.getName();
            }
            if (value instanceof NullValue) {
                return null;
            }
            throw new IllegalArgumentException("Expected " + JSON + " without variables inside it");
        }
    }

    private static boolean isWhole(Object input) {
        if (!(input instanceof Number number) || input instanceof Double d && !Double.isFinite(d)
                || input instanceof Float f && !Float.isFinite(f)) {
            return false;
        }
        try {
            new BigDecimal(number.toString()).toBigIntegerExact();
            return true;
        } catch (ArithmeticException | NumberFormatException e) {
            return false;
        }
    }
}
