package dev.appliancesync.cloud.policy;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Renders compiled statements as compact policy JSON, and says what each piece costs against the size quota. The
 * costs are measured on this writer's own output, so the packer's arithmetic cannot drift from what is rendered.
 */
final class PolicyDocumentWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int emptyDocumentSize;
    private final int[] emptyStatementSize = new int[StatementKind.values().length];

    PolicyDocumentWriter() {
        emptyDocumentSize = size(render(List.of()));
        for (StatementKind kind : StatementKind.values()) {
            emptyStatementSize[kind.ordinal()] = size(render(List.of(new PolicyStatement(kind, List.of()))))
                    - emptyDocumentSize;
        }
    }

    String render(List<PolicyStatement> statements) {
        ObjectNode document = JSON.createObjectNode();
        document.put("Version", "2012-10-17");
        ArrayNode array = document.putArray("Statement");
        for (PolicyStatement statement : statements) {
            ObjectNode node = array.addObject();
            node.put("Effect", statement.kind().effect);
            node.put("Action", statement.kind().action);
            ArrayNode resources = node.putArray("Resource");
            statement.resources().forEach(resources::add);
        }
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a policy document of strings always renders", e);
        }
    }

    int emptyDocumentSize() {
        return emptyDocumentSize;
    }

    /** What a statement of this kind costs with no resources yet (not counting the comma before it). */
    int emptyStatementSize(StatementKind kind) {
        return emptyStatementSize[kind.ordinal()];
    }

    /** What a resource costs inside a statement's array (not counting the comma before it). */
    int resourceSize(String resource) {
        try {
            return size(JSON.writeValueAsString(resource));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always renders", e);
        }
    }

    private static int size(String json) {
        return IotQuotas.documentSize(json);
    }
}
