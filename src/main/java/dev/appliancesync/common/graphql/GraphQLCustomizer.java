package dev.appliancesync.common.graphql;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import graphql.GraphQL;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Adds our error coding to the GraphQL engine SmallRye builds. SmallRye offers the builder as a CDI event but no way
 * to add an instrumentation beside its own (the depth limit, query cache), so we read the one it set and
 * chain ours after it. The schema contract and error tests fail if a SmallRye upgrade changes this.
 */
@ApplicationScoped
@RegisterForReflection(targets = GraphQL.Builder.class, fields = true)
public class GraphQLCustomizer {

    public GraphQL.Builder addErrorCoding(@Observes GraphQL.Builder builder) {
        List<Instrumentation> chain = new ArrayList<>();
        existingInstrumentation(builder).ifPresent(chain::add);
        chain.add(new ErrorCodingInstrumentation());
        return builder.instrumentation(new ChainedInstrumentation(chain));
    }

    private static java.util.Optional<Instrumentation> existingInstrumentation(GraphQL.Builder builder) {
        try {
            Field field = GraphQL.Builder.class.getDeclaredField("instrumentation");
            field.setAccessible(true);
            return java.util.Optional.ofNullable((Instrumentation) field.get(builder));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("graphql-java changed: cannot chain the error-coding instrumentation", e);
        }
    }
}
