package dev.appliancesync.common.graphql;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.language.OperationDefinition.Operation;
import graphql.parser.InvalidSyntaxException;
import graphql.schema.GraphQLSchema;

/**
 * Parses a request's document (within the token limit) and works out what its chosen operation costs, for the HTTP
 * request guard and the WebSocket guard alike. Apps send the same few documents over and over: what a document costs
 * is remembered instead of parsing it again, by its SHA-256, not its text. Anyone, signed in or not, chooses what is
 * remembered, and 2,000 documents of the largest body allowed would pin hundreds of megabytes; 2,000 digests and costs
 * pin about 250 KB.
 */
@ApplicationScoped
public class CostedDocuments {

    /** What the request runs and what that costs; {@code operation} is null when the engine will refuse the choice. */
    public record Costed(Operation operation, OperationCost cost) {

        public long value() {
            return cost.cost();
        }
    }

    static final int REMEMBERED_DOCUMENTS = 2_000;

    private final GraphQLDocumentParser parser;
    private final Instance<GraphQLSchema> schemas;
    private final List<PagedField> paged;
    private final Map<DocumentDigest, Costed> remembered = new ConcurrentHashMap<>();
    private volatile FieldCosts costs;

    public CostedDocuments(GraphQLDocumentParser parser, Instance<PagedField> paged, Instance<GraphQLSchema> schemas) {
        this.parser = parser;
        this.schemas = schemas;
        this.paged = paged.stream().toList();
    }

    /**
     * The operation the request runs and its cost.
     *
     * @throws InvalidSyntaxException if the document does not parse, or has more tokens than allowed
     */
    public Costed cost(String document, String operationName, Map<String, Object> variables) {
        DocumentDigest digest = DocumentDigest.of(document);
        Costed known = remembered.get(digest);
        if (known != null) {
            return known;
        }
        Document parsed = parser.parse(document);
        List<OperationDefinition> operations = parsed.getDefinitionsOfType(OperationDefinition.class);
        Costed costed = chosen(operations, operationName)
                .map(operation -> new Costed(operation.getOperation(),
                        OperationCost.of(costs(), parsed, operation, variables)))
                .orElse(new Costed(null, OperationCost.NOTHING));
        // Which operation runs, and what a page size given as a variable costs, depend on the request: worked out
        // again each time. So is a document whose one operation was not chosen (a wrong operationName), which must
        // not pass for free once sent without one.
        if (operations.size() == 1 && costed.operation() != null && !costed.cost().usesVariables()) {
            if (remembered.size() >= REMEMBERED_DOCUMENTS) {
                remembered.clear();
            }
            remembered.put(digest, costed);
        }
        return costed;
    }

    /** The operation the request runs, as the engine picks it; empty when the engine will refuse the choice. */
    private static Optional<OperationDefinition> chosen(List<OperationDefinition> operations, String operationName) {
        if (operationName == null) {
            return operations.size() == 1 ? Optional.of(operations.get(0)) : Optional.empty();
        }
        return operations.stream().filter(o -> operationName.equals(o.getName())).findFirst();
    }

    /** The costs, on the schema SmallRye built at start-up (not yet built when this bean is made). */
    FieldCosts costs() {
        FieldCosts current = costs;
        if (current == null) {
            current = new FieldCosts(schemas.get(), paged);
            costs = current;
        }
        return current;
    }

    /** What is remembered, for tests: what anyone who sends documents can make this instance keep. */
    Set<Object> rememberedKeys() {
        return Set.copyOf(remembered.keySet());
    }

    boolean remembers(String document) {
        return remembered.containsKey(DocumentDigest.of(document));
    }
}
