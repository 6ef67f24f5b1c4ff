package dev.appliancesync.common.graphql;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import graphql.GraphQL;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.schema.GraphQLSchema;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Adds our error coding and strict input scalars to the GraphQL engine SmallRye builds. SmallRye offers the builder as
 * a CDI event but no way to add an instrumentation beside its own (the depth limit, query cache) or to
 * change a scalar's coercing, so we read the instrumentation and schema it set, chain ours after the one and replace
 * the other with a copy whose scalars check their input ({@link StrictScalars}). The schema contract, error and
 * malformed-argument tests fail if a SmallRye upgrade changes this.
 */
@ApplicationScoped
@RegisterForReflection(targets = GraphQL.Builder.class, fields = true)
public class GraphQLCustomizer {

    public GraphQL.Builder addErrorCoding(@Observes GraphQL.Builder builder) {
        List<Instrumentation> chain = new ArrayList<>();
        existingInstrumentation(builder).ifPresent(chain::add);
        chain.add(new ErrorCodingInstrumentation());
        return builder.instrumentation(new ChainedInstrumentation(chain))
                .schema(StrictScalars.apply(builderField(builder, "graphQLSchema", GraphQLSchema.class)
                        .orElseThrow(() -> new IllegalStateException("graphql-java changed: no schema to check"))));
    }

    private static Optional<Instrumentation> existingInstrumentation(GraphQL.Builder builder) {
        return builderField(builder, "instrumentation", Instrumentation.class);
    }

    private static <T> Optional<T> builderField(GraphQL.Builder builder, String name, Class<T> type) {
        try {
            Field field = GraphQL.Builder.class.getDeclaredField(name);
            field.setAccessible(true);
            return Optional.ofNullable(type.cast(field.get(builder)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("graphql-java changed: cannot read GraphQL.Builder." + name, e);
        }
    }
}
