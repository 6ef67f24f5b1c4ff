package dev.appliancesync.common.graphql;

import java.util.Locale;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;

/**
 * A scalar's coercing with a check in front of its input side: the value a client sends is refused (or reshaped)
 * here, while the document is validated and variables are read, so a malformed argument is a validation error that
 * names the argument. SmallRye's own coercings let some through to the data fetcher, where they failed as INTERNAL
 * (a fraction for an Int) or as a second, confusing error.
 */
final class CheckedCoercing implements Coercing<Object, Object> {

    /** What a scalar accepts from a client, reshaped into what its delegate reads. */
    interface InputCheck {
        /** A variable's value (from JSON): returns what the delegate parses, or throws with a reason. */
        Object value(Object input);

        /** A literal in the document: returns what the delegate parses, or throws with a reason. */
        Value<?> literal(Value<?> input);
    }

    private final Coercing<?, ?> delegate;
    private final InputCheck check;

    CheckedCoercing(Coercing<?, ?> delegate, InputCheck check) {
        this.delegate = delegate;
        this.check = check;
    }

    @Override
    public Object serialize(Object result, GraphQLContext context, Locale locale) throws CoercingSerializeException {
        return delegate.serialize(result, context, locale);
    }

    @Override
    @SuppressWarnings("deprecation")
    public Object serialize(Object result) throws CoercingSerializeException {
        return delegate.serialize(result);
    }

    @Override
    public Object parseValue(Object input, GraphQLContext context, Locale locale) throws CoercingParseValueException {
        Object checked;
        try {
            checked = check.value(input);
        } catch (IllegalArgumentException refused) {
            throw new CoercingParseValueException(refused.getMessage());
        }
        return delegate.parseValue(checked, context, locale);
    }

    @Override
    public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale)
            throws CoercingParseLiteralException {
        Value<?> checked;
        try {
            checked = check.literal(input);
        } catch (IllegalArgumentException refused) {
            throw new CoercingParseLiteralException(refused.getMessage());
        }
        return delegate.parseLiteral(checked, variables, context, locale);
    }

    @Override
    @SuppressWarnings("deprecation")
    public Object parseValue(Object input) throws CoercingParseValueException {
        return parseValue(input, GraphQLContext.getDefault(), Locale.getDefault());
    }

    @Override
    @SuppressWarnings("deprecation")
    public Object parseLiteral(Object input) throws CoercingParseLiteralException {
        return parseLiteral((Value<?>) input, CoercedVariables.emptyVariables(), GraphQLContext.getDefault(),
                Locale.getDefault());
    }

    @Override
    public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
        return delegate.valueToLiteral(input, context, locale);
    }
}
