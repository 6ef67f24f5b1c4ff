package dev.appliancesync.realtime.appsync;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import graphql.ExecutionResult;
import io.quarkus.arc.InjectableContext.ContextState;
import io.smallrye.graphql.execution.ExecutionResponse;
import io.smallrye.graphql.execution.ExecutionResponseWriter;
import io.smallrye.graphql.execution.ExecutionService;
import io.vertx.core.json.JsonObject;

/**
 * The one class that uses SmallRye GraphQL's execution implementation ({@code io.smallrye.graphql.execution}) and the
 * execution-context entries the quarkus-smallrye-graphql extension's data fetchers read. Neither offers a public way
 * to run an operation outside their own HTTP and WebSocket routes, which AppSync's protocol cannot use. What we rely
 * on, pinned by AppSyncRealtimeTest (queries, mutations and subscriptions over AppSync, each as its own principal):
 * <ul>
 * <li>{@code ExecutionService.executeAsync} runs a {@code {query, variables, operationName}} request and writes one
 * response; a subscription's carries a {@code Publisher} of results as its data;</li>
 * <li>the data fetchers reactivate the request context from the {@value #STATE} entry wherever the operation goes
 * on, so its resolvers see its own identity;</li>
 * <li>{@code ExecutionResponse} renders a result as GraphQL's JSON response, errors shaped as on HTTP.</li>
 * </ul>
 */
@Singleton
final class SmallRyeExecutionAdapter {

    /** The execution context entry the data fetchers reactivate the request context from. */
    static final String STATE = "state";

    /** What became of one execution. */
    interface Outcome {
        /** Executed (or refused by parsing or validation); {@code json} renders {@code result} when asked. */
        void answered(ExecutionResult result, Supplier<JsonObject> json);

        void failed(Throwable failure);
    }

    /** Looked up when an operation runs: SmallRye makes it once the schema is built. */
    private final Instance<ExecutionService> execution;

    SmallRyeExecutionAdapter(Instance<ExecutionService> execution) {
        this.execution = execution;
    }

    /**
     * Runs {@code request} in the request context {@code state} (its identity), with the upgrade request's
     * {@code headers}; the outcome is told once.
     */
    void execute(JsonObject request, Map<String, List<String>> headers, ContextState state, Outcome outcome) {
        Map<String, Object> context = new ConcurrentHashMap<>();
        context.put("runBlocking", false);
        context.put("httpHeaders", headers);
        context.put(STATE, state);
        jakarta.json.JsonObject graphqlRequest;
        try (var reader = jakarta.json.Json.createReader(new StringReader(request.encode()))) {
            graphqlRequest = reader.readObject();
        }
        execution.get().executeAsync(graphqlRequest, context, new ExecutionResponseWriter() {
            @Override
            public void write(ExecutionResponse response) {
                ExecutionResult result = response.getExecutionResult();
                if (result != null) {
                    outcome.answered(result, () -> new JsonObject(response.getExecutionResultAsString()));
                }
            }

            @Override
            public void fail(Throwable failure) {
                outcome.failed(failure);
            }
        });
    }

    /** One result of a subscription's stream as GraphQL's JSON response, as the engine writes it. */
    static String text(ExecutionResult result) {
        return new ExecutionResponse(result).getExecutionResultAsString();
    }
}
