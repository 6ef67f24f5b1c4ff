package dev.appliancesync.realtime.websocket;

import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.appliancesync.realtime.IdentityMemo;
import dev.appliancesync.realtime.LiveField;
import graphql.ExecutionResultImpl;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.language.SourceLocation;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLType;
import io.smallrye.graphql.execution.ExecutionResponse;
import io.vertx.core.buffer.Buffer;

/**
 * One subscription document with its variables, prepared once and shared by everyone who sends it: the field it
 * subscribes to, its arguments, and what to render of each item (result keys in the engine's order, each a scalar
 * of the item or its {@code __typename}). It renders an item's payload the way SmallRye answers it (the same result
 * map, written by SmallRye's own {@link ExecutionResponse}), once per item object: the subscribers of one group get
 * the same item object (see {@code ChangeVisibility#visible}), so the first of them renders it and the rest reuse
 * the text.
 */
public final class LiveSelection {

    /**
     * One entry of the rendered object: its result key and how its value is read (the item's component, serialised
     * by its scalar's or enum's own coercing, as the engine does), or the type name for {@code __typename}.
     */
    record Entry(String resultKey, MethodHandle accessor, GraphQLType type, String typeName) {

        Object valueOf(Object item) throws Throwable {
            if (accessor == null) {
                return typeName;
            }
            Object value = accessor.invoke(item);
            if (value == null) {
                return null;
            }
            return type instanceof GraphQLEnumType enumType
                    ? enumType.serialize(value, GraphQLContext.getDefault(), Locale.getDefault())
                    : ((GraphQLScalarType) type).getCoercing().serialize(value, GraphQLContext.getDefault(),
                            Locale.getDefault());
        }
    }

    private final LiveField field;
    private final Map<String, Object> arguments;
    private final String resultKey;
    private final SourceLocation location;
    private final List<Entry> entries;
    private final IdentityMemo<Object, SharedFrame> rendered = new IdentityMemo<>(8);
    private final Runnable onRender;

    LiveSelection(LiveField field, Map<String, Object> arguments, String resultKey, SourceLocation location,
            List<Entry> entries, Runnable onRender) {
        this.field = field;
        this.arguments = arguments;
        this.resultKey = resultKey;
        this.location = location;
        this.entries = entries;
        this.onRender = onRender;
    }

    LiveField field() {
        return field;
    }

    Map<String, Object> arguments() {
        return arguments;
    }

    /** The data message for {@code item} after {@code prefix}, encoded once per item and prefix (see SharedFrame). */
    Buffer messageOf(Object item, String prefix) {
        return rendered.get(item, this::render).message(prefix);
    }

    /** The payload of the error that ends the subscription, as SmallRye sends it: the error, and the field null. */
    String errorPayload(GraphQLError error) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(resultKey, null);
        return new ExecutionResponse(ExecutionResultImpl.newExecutionResult().data(data).addError(error).build())
                .getExecutionResultAsJsonObject().toString();
    }

    /** Where the field is in the document and its path, for that error. */
    SourceLocation location() {
        return location;
    }

    String resultKey() {
        return resultKey;
    }

    private SharedFrame render(Object item) {
        onRender.run();
        Map<String, Object> object = new LinkedHashMap<>();
        for (Entry entry : entries) {
            try {
                object.put(entry.resultKey(), entry.valueOf(item));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("Cannot read " + entry.resultKey() + " of " + item, e);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(resultKey, object);
        return new SharedFrame(new ExecutionResponse(ExecutionResultImpl.newExecutionResult().data(data).build())
                .getExecutionResultAsJsonObject().toString());
    }
}
