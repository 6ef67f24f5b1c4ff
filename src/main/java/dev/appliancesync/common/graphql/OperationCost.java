package dev.appliancesync.common.graphql;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import graphql.language.Argument;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLCompositeType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;

/**
 * What one operation of a document costs ({@link FieldCosts}) and how deep it nests, worked out from the document
 * before anything runs. A fragment is costed once, however often it is spread, so a document that spreads fragments
 * into each other cannot make this walk long; sums saturate instead of overflowing.
 *
 * @param cost what running the operation costs
 * @param depth the deepest nesting of fields (a root field is at depth 1)
 * @param usesVariables whether the cost depends on the request's variables (a page size given as a variable)
 */
public record OperationCost(long cost, int depth, boolean usesVariables) {

    /** What an operation the engine will refuse before running anything costs (no operation chosen). */
    static final OperationCost NOTHING = new OperationCost(0, 0, false);

    static OperationCost of(FieldCosts costs, Document document, OperationDefinition operation,
            Map<String, Object> variables) {
        GraphQLObjectType root = switch (operation.getOperation()) {
            case QUERY -> costs.schema().getQueryType();
            case MUTATION -> costs.schema().getMutationType();
            case SUBSCRIPTION -> costs.schema().getSubscriptionType();
        };
        if (root == null) {
            return NOTHING;
        }
        Walk walk = new Walk(costs, document, variables == null ? Map.of() : variables);
        Measure measure = walk.selections(operation.getSelectionSet(), root, null);
        return new OperationCost(measure.cost, measure.depth, walk.usesVariables);
    }

    private record Measure(long cost, int depth) {
        static final Measure NONE = new Measure(0, 0);

        Measure plus(Measure other) {
            return new Measure(add(cost, other.cost), Math.max(depth, other.depth));
        }
    }

    private static final class Walk {
        private final FieldCosts costs;
        private final Map<String, FragmentDefinition> fragments = new HashMap<>();
        private final Map<String, Object> variables;
        /** Fragments costed so far, by name and the page size their lists inherit. */
        private final Map<String, Measure> fragmentMeasures = new HashMap<>();
        private final Set<String> entered = new HashSet<>();
        private boolean usesVariables;

        Walk(FieldCosts costs, Document document, Map<String, Object> variables) {
            this.costs = costs;
            this.variables = variables;
            for (FragmentDefinition fragment : document.getDefinitionsOfType(FragmentDefinition.class)) {
                fragments.putIfAbsent(fragment.getName(), fragment);
            }
        }

        /**
         * @param pageSize the page size the enclosing field was asked for, which its lists have (null: none)
         */
        Measure selections(SelectionSet set, GraphQLCompositeType parent, Long pageSize) {
            if (set == null) {
                return Measure.NONE;
            }
            Measure total = Measure.NONE;
            for (Selection<?> selection : set.getSelections()) {
                total = total.plus(switch (selection) {
                    case Field field -> field(field, parent, pageSize);
                    case InlineFragment inline -> selections(inline.getSelectionSet(),
                            inline.getTypeCondition() == null ? parent
                                    : compositeOr(costs.schema().getType(inline.getTypeCondition().getName()), parent),
                            pageSize);
                    case FragmentSpread spread -> fragment(spread.getName(), parent, pageSize);
                    default -> Measure.NONE;
                });
            }
            return total;
        }

        private Measure fragment(String name, GraphQLCompositeType parent, Long pageSize) {
            FragmentDefinition fragment = fragments.get(name);
            String key = name + "/" + pageSize;
            if (fragment == null || !entered.add(key)) {
                return Measure.NONE; // unknown or spread into itself: validation refuses the document
            }
            Measure known = fragmentMeasures.get(key);
            if (known == null) {
                GraphQLCompositeType on = compositeOr(costs.schema().getType(fragment.getTypeCondition().getName()),
                        parent);
                known = selections(fragment.getSelectionSet(), on, pageSize);
                fragmentMeasures.put(key, known);
            }
            entered.remove(key);
            return known;
        }

        private Measure field(Field field, GraphQLCompositeType parent, Long pageSize) {
            GraphQLFieldDefinition definition = costs.definition(parent, field.getName());
            if (definition == null) {
                return new Measure(FieldCosts.FIELD, 1); // validation refuses the document
            }
            long own = costs.of(parent, definition);
            if (field.getSelectionSet() == null) {
                return new Measure(own, 1);
            }
            GraphQLType type = definition.getType();
            GraphQLType inner = GraphQLTypeUtil.unwrapAll(type);
            if (!(inner instanceof GraphQLCompositeType composite)) {
                return new Measure(own, 1);
            }
            Long asked = pageSizeOf(field, parent, definition);
            long items = isList(type) ? (pageSize != null ? pageSize : asked != null ? asked : FieldCosts.ASSUMED_LIST_SIZE)
                    : 1;
            // A paged field's page size is for the lists it returns; a list's items start afresh.
            Measure children = selections(field.getSelectionSet(), composite, isList(type) ? null : asked);
            return new Measure(add(own, multiply(items, children.cost)), children.depth + 1);
        }

        private Long pageSizeOf(Field field, GraphQLCompositeType parent, GraphQLFieldDefinition definition) {
            for (GraphQLArgument argument : definition.getArguments()) {
                if (FieldCosts.PAGE_SIZE_ARGUMENTS.contains(argument.getName())) {
                    return costs.paging(parent, definition).charged(given(field.getArguments(), argument));
                }
            }
            return null;
        }

        /** The argument's value as the request gives it, or its default; anything else is not a number. */
        private Object given(List<Argument> arguments, GraphQLArgument argument) {
            for (Argument given : arguments) {
                if (given.getName().equals(argument.getName())) {
                    return valueOf(given.getValue());
                }
            }
            if (argument.hasSetDefaultValue()) {
                Object fallback = argument.getArgumentDefaultValue().getValue();
                return fallback instanceof Value<?> literal ? valueOf(literal) : fallback;
            }
            return null;
        }

        private Object valueOf(Value<?> value) {
            if (value instanceof IntValue literal) {
                return literal.getValue();
            }
            if (value instanceof VariableReference reference) {
                usesVariables = true;
                return variables.get(reference.getName());
            }
            return null;
        }

        private static boolean isList(GraphQLType type) {
            return GraphQLTypeUtil.unwrapNonNull(type) instanceof GraphQLList;
        }

        private static GraphQLCompositeType compositeOr(GraphQLType type, GraphQLCompositeType fallback) {
            return type instanceof GraphQLCompositeType composite ? composite : fallback;
        }
    }

    private static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
