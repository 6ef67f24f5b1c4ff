package dev.appliancesync.common.graphql;

import java.util.concurrent.CompletableFuture;

import graphql.ExecutionResult;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;

/** Gives every error of every result its {@code extensions.code} before the response is written. */
final class ErrorCodingInstrumentation extends SimplePerformantInstrumentation {

    @Override
    public CompletableFuture<ExecutionResult> instrumentExecutionResult(ExecutionResult result,
            InstrumentationExecutionParameters parameters, InstrumentationState state) {
        if (result.getErrors().isEmpty()) {
            return CompletableFuture.completedFuture(result);
        }
        return CompletableFuture.completedFuture(ExecutionResult.newExecutionResult()
                .data(result.getData())
                .errors(GraphQLErrorCoder.codeAll(result.getErrors(),
                        new ArgumentErrorMessages(parameters.getSchema(), parameters.getQuery())))
                .extensions(result.getExtensions())
                .build());
    }
}
