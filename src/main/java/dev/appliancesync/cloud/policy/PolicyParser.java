package dev.appliancesync.cloud.policy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Parses IAM-grammar policy documents (IoT Core policies and IAM role policies alike). What it cannot evaluate
 * faithfully it refuses with IllegalArgumentException rather than guess: unknown statement elements (Principal has
 * no place in an identity policy), unsupported condition operators, non-string values.
 */
final class PolicyParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ELEMENTS = Set.of("Sid", "Effect", "Action", "NotAction", "Resource",
            "NotResource", "Condition");
    /** Policy variables exist from this version of the policy language on; before it "${" is plain text. */
    private static final String VARIABLES_VERSION = "2012-10-17";

    private PolicyParser() {
    }

    static ParsedPolicy parse(String name, String document) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("policy " + name + " is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("policy " + name + " is not a JSON object");
        }
        boolean variables = VARIABLES_VERSION.equals(root.path("Version").asText(null));
        JsonNode statementNode = root.get("Statement");
        if (statementNode == null) {
            throw new IllegalArgumentException("policy " + name + " has no Statement");
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (statementNode.isArray()) {
            statementNode.forEach(nodes::add);
        } else {
            nodes.add(statementNode);
        }
        List<ParsedStatement> statements = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            statements.add(statement(name, i, nodes.get(i), variables));
        }
        return new ParsedPolicy(name, statements);
    }

    private static ParsedStatement statement(String policy, int index, JsonNode node, boolean variables) {
        String where = "policy " + policy + " statement " + index;
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " is not an object");
        }
        node.fieldNames().forEachRemaining(field -> {
            if (!ELEMENTS.contains(field)) {
                throw new IllegalArgumentException(where + " has an element this evaluator does not know: " + field);
            }
        });
        String effect = node.path("Effect").asText("");
        if (!effect.equals("Allow") && !effect.equals("Deny")) {
            throw new IllegalArgumentException(where + " needs Effect Allow or Deny, not '" + effect + "'");
        }
        boolean notAction = exactlyOne(node, "Action", "NotAction", where);
        boolean notResource = exactlyOne(node, "Resource", "NotResource", where);
        List<WildcardPattern> actions = strings(node.get(notAction ? "NotAction" : "Action"), where).stream()
                .map(action -> WildcardPattern.parse(action, true, false, true)).toList();
        List<ArnPattern> resources = strings(node.get(notResource ? "NotResource" : "Resource"), where).stream()
                .map(resource -> ArnPattern.parse(resource, variables)).toList();
        String sid = node.has("Sid") ? node.get("Sid").asText() : null;
        return new ParsedStatement(index, sid, effect.equals("Deny"), actions, notAction, resources, notResource,
                conditions(node.get("Condition"), where, variables));
    }

    private static boolean exactlyOne(JsonNode node, String positive, String negative, String where) {
        if (node.has(positive) == node.has(negative)) {
            throw new IllegalArgumentException(where + " needs exactly one of " + positive + " and " + negative);
        }
        return node.has(negative);
    }

    private static List<ConditionClause> conditions(JsonNode block, String where, boolean variables) {
        List<ConditionClause> clauses = new ArrayList<>();
        if (block == null) {
            return clauses;
        }
        if (!block.isObject()) {
            throw new IllegalArgumentException(where + ": Condition is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> operators = block.fields(); operators.hasNext();) {
            Map.Entry<String, JsonNode> operatorEntry = operators.next();
            ConditionOperator.Parsed parsed = ConditionOperator.parse(operatorEntry.getKey());
            ConditionOperator operator = parsed.operator();
            if (!operatorEntry.getValue().isObject()) {
                throw new IllegalArgumentException(where + ": " + operatorEntry.getKey() + " is not an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = operatorEntry.getValue().fields(); keys.hasNext();) {
                Map.Entry<String, JsonNode> key = keys.next();
                List<WildcardPattern> values = strings(key.getValue(), where).stream()
                        .map(value -> WildcardPattern.parse(value, operator.wildcards, variables, operator.ignoreCase))
                        .toList();
                clauses.add(new ConditionClause(operator, parsed.ifExists(), key.getKey(), values));
            }
        }
        return clauses;
    }

    /** A string or an array of strings (condition values may also be written as numbers or booleans). */
    private static List<String> strings(JsonNode node, String where) {
        List<JsonNode> items = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(items::add);
        } else if (node != null) {
            items.add(node);
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(where + " has an empty element");
        }
        return items.stream().map(item -> {
            if (!item.isValueNode() || item.isNull()) {
                throw new IllegalArgumentException(where + " has a value that is not a string: " + item);
            }
            return item.asText();
        }).toList();
    }
}
