package dev.appliancesync.common.graphql;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

import graphql.introspection.Introspection;
import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCompositeType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.PropertyDataFetcher;
import io.smallrye.graphql.execution.datafetcher.FieldDataFetcher;

/**
 * What each field of a document costs, in one place. The unit is one field read from an object already in memory;
 * a field with a resolver of its own costs what a database round trip costs in those units. A list multiplies what
 * its items select by their number: the page size a paged field was asked for, else a small assumed size. Aliases are
 * fields like any other: a document that asks for {@code me} 100 times under 100 aliases pays for 100.
 */
final class FieldCosts {

    /** A field read from its parent's object (a column already fetched, an enum, a nested object). */
    static final long FIELD = 1;
    /**
     * A field with a resolver of its own: every Query, Mutation and Subscription field and every {@code @Source} field.
     * Each reads the database at least once (and a root field usually also authorises), so it counts as ten fields.
     */
    static final long RESOLVER = 10;
    /** Items assumed in a list whose size nothing in the document bounds (appliances, shares, members...). */
    static final long ASSUMED_LIST_SIZE = 5;
    /** Arguments that set the size of the page a field returns; the lists inside that page have that many items. */
    static final Set<String> PAGE_SIZE_ARGUMENTS = Set.of("limit", "first", "last");

    private final GraphQLSchema schema;
    /** By {@code Type.field}. */
    private final Map<String, PagedField> paged;
    /** Charged for a paged field no feature described: the largest page any serves, however small it asks. */
    private final long largestPage;

    FieldCosts(GraphQLSchema schema, Collection<PagedField> paged) {
        this.schema = schema;
        this.paged = paged.stream().collect(Collectors.toUnmodifiableMap(PagedField::coordinates, field -> field));
        this.largestPage = paged.stream().mapToLong(PagedField::largest).max().orElse(ASSUMED_LIST_SIZE);
    }

    GraphQLSchema schema() {
        return schema;
    }

    /** How {@code field} of {@code parent}, which has a page-size argument, is charged for its page. */
    PagedField paging(GraphQLCompositeType parent, GraphQLFieldDefinition field) {
        PagedField described = paged.get(parent.getName() + "." + field.getName());
        return described != null ? described
                : new PagedField(parent.getName(), field.getName(), largestPage, largestPage);
    }

    /** Every field with a page-size argument, as {@code Type.field}: what a test compares with the features' pages. */
    Set<String> pagedFields() {
        return fieldsWhere((type, field) -> field.getArguments().stream()
                .anyMatch(argument -> PAGE_SIZE_ARGUMENTS.contains(argument.getName())));
    }

    /** The paged fields the features described, as {@code Type.field}. */
    Set<String> describedPagedFields() {
        return new TreeSet<>(paged.keySet());
    }

    /** What selecting {@code field} on one {@code parent} costs, before what it selects in turn. */
    long of(GraphQLCompositeType parent, GraphQLFieldDefinition field) {
        return hasResolver(parent, field) ? RESOLVER : FIELD;
    }

    /** The field's definition on {@code parent}, introspection's included; null for a field the schema lacks. */
    GraphQLFieldDefinition definition(GraphQLCompositeType parent, String name) {
        if (Introspection.TypeNameMetaFieldDef.getName().equals(name)) {
            return Introspection.TypeNameMetaFieldDef;
        }
        if (parent == schema.getQueryType()) {
            if (Introspection.SchemaMetaFieldDef.getName().equals(name)) {
                return Introspection.SchemaMetaFieldDef;
            }
            if (Introspection.TypeMetaFieldDef.getName().equals(name)) {
                return Introspection.TypeMetaFieldDef;
            }
        }
        return parent instanceof GraphQLFieldsContainer container ? container.getFieldDefinition(name) : null;
    }

    /**
     * Whether the field runs code of ours (and so the database) rather than reading its parent's object: every root
     * field, and every field SmallRye resolves with an operation (an {@code @Source} method). Introspection answers
     * from the schema in memory.
     */
    boolean hasResolver(GraphQLCompositeType parent, GraphQLFieldDefinition field) {
        if (!(parent instanceof GraphQLObjectType object) || Introspection.isIntrospectionTypes(object)
                || field.getName().startsWith("__")) {
            return false;
        }
        if (isRoot(object)) {
            return true;
        }
        DataFetcher<?> fetcher = schema.getCodeRegistry().getDataFetcher(FieldCoordinates.coordinates(object, field),
                field);
        return !(fetcher instanceof FieldDataFetcher<?> || fetcher instanceof PropertyDataFetcher<?>);
    }

    /** Every field with a resolver, as {@code Type.field}: what a test compares with the code's resolvers. */
    Set<String> resolvers() {
        return fieldsWhere(this::hasResolver);
    }

    /** The fields of the schema's own object types (not introspection's) that {@code test} holds for, as Type.field. */
    private Set<String> fieldsWhere(BiPredicate<GraphQLObjectType, GraphQLFieldDefinition> test) {
        Set<String> fields = new TreeSet<>();
        for (var type : schema.getAllTypesAsList()) {
            if (type instanceof GraphQLObjectType object && !Introspection.isIntrospectionTypes(object)) {
                for (GraphQLFieldDefinition field : object.getFieldDefinitions()) {
                    if (test.test(object, field)) {
                        fields.add(object.getName() + "." + field.getName());
                    }
                }
            }
        }
        return fields;
    }

    private boolean isRoot(GraphQLObjectType type) {
        return type == schema.getQueryType() || type == schema.getMutationType()
                || type == schema.getSubscriptionType();
    }
}
