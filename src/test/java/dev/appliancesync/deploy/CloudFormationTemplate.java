package dev.appliancesync.deploy;

import static dev.appliancesync.deploy.DeployFiles.find;
import static dev.appliancesync.deploy.DeployFiles.list;
import static dev.appliancesync.deploy.DeployFiles.map;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CloudFormation template with its intrinsic functions evaluated as CloudFormation would for one stack: pseudo
 * parameters for a region and account, parameters at their defaults. What only exists once the stack does (a
 * resource's Ref or attribute) becomes a marker, {@code {Ref:Name}} or {@code {GetAtt:Name.Attribute}}. A reference
 * to anything the template does not define fails, as CloudFormation's validation would.
 */
final class CloudFormationTemplate {

    static final String STACK_NAME = "appliance-sync";

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final Map<String, Object> template;
    private final Map<String, String> values = new LinkedHashMap<>();

    CloudFormationTemplate(Map<String, Object> template, String region, String accountId) {
        this.template = template;
        values.put("AWS::Region", region);
        values.put("AWS::AccountId", accountId);
        values.put("AWS::StackName", STACK_NAME);
        values.put("AWS::Partition", region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws");
        values.put("AWS::URLSuffix", region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com");
        parameters().forEach((name, parameter) -> {
            Object defaultValue = find(parameter, "Default");
            if (defaultValue == null) {
                throw new AssertionError("parameter " + name + " has no default: every parameter should have one");
            }
            values.put(name, defaultValue.toString());
        });
    }

    Map<String, Object> parameters() {
        return map(template, "Parameters");
    }

    Map<String, Object> resources() {
        return map(template, "Resources");
    }

    /** A resource's type. */
    String type(String logicalId) {
        return DeployFiles.string(resources(), logicalId, "Type");
    }

    /** The logical ids of the resources of a type. */
    List<String> resourcesOfType(String type) {
        return resources().entrySet().stream().filter(e -> type.equals(find(e.getValue(), "Type")))
                .map(Map.Entry::getKey).toList();
    }

    /** A resource's Properties, evaluated. */
    Map<String, Object> properties(String logicalId) {
        return map(resolve(map(resources(), logicalId, "Properties")));
    }

    String parameterDefault(String name) {
        return values.get(name);
    }

    /** The node with every intrinsic function evaluated. */
    Object resolve(Object node) {
        if (node instanceof List<?> items) {
            List<Object> resolved = new ArrayList<>();
            items.forEach(item -> resolved.add(resolve(item)));
            return resolved;
        }
        if (!(node instanceof Map<?, ?> mapping)) {
            return node;
        }
        if (mapping.size() == 1) {
            Map.Entry<?, ?> only = mapping.entrySet().iterator().next();
            String key = only.getKey().toString();
            Object argument = only.getValue();
            switch (key) {
                case "Ref":
                    return reference(argument.toString());
                case "Fn::GetAtt":
                    return attribute(list(Map.of("a", argument), "a"));
                case "Fn::Sub":
                    return substitute(argument);
                case "Fn::If": {
                    List<Object> branches = list(Map.of("a", argument), "a");
                    return resolve(condition(branches.get(0).toString()) ? branches.get(1) : branches.get(2));
                }
                case "Fn::Join": {
                    List<Object> parts = list(Map.of("a", argument), "a");
                    List<String> joined = new ArrayList<>();
                    list(Map.of("a", resolve(parts.get(1))), "a").forEach(p -> joined.add(p.toString()));
                    return String.join(parts.get(0).toString(), joined);
                }
                default:
                    if (key.startsWith("Fn::")) {
                        throw new AssertionError("intrinsic function " + key + " is not evaluated by this test");
                    }
            }
        }
        Map<String, Object> resolved = new LinkedHashMap<>();
        mapping.forEach((k, v) -> resolved.put(k.toString(), resolve(v)));
        return resolved;
    }

    /** The named condition, evaluated. */
    boolean condition(String name) {
        return evaluate(map(template, "Conditions", name));
    }

    private boolean evaluate(Object condition) {
        Map<String, Object> function = map(condition);
        if (function.containsKey("Fn::Equals")) {
            List<Object> sides = list(function, "Fn::Equals");
            return String.valueOf(resolve(sides.get(0))).equals(String.valueOf(resolve(sides.get(1))));
        }
        if (function.containsKey("Fn::Not")) {
            return !evaluate(list(function, "Fn::Not").getFirst());
        }
        if (function.containsKey("Condition")) {
            return condition(function.get("Condition").toString());
        }
        throw new AssertionError("condition function not evaluated by this test: " + function);
    }

    private String reference(String name) {
        if (values.containsKey(name)) {
            return values.get(name);
        }
        if (resources().containsKey(name)) {
            return "{Ref:" + name + "}";
        }
        throw new AssertionError("Ref to " + name + ": no such parameter, pseudo parameter or resource");
    }

    private String attribute(List<Object> resourceAndAttribute) {
        String resource = resourceAndAttribute.get(0).toString();
        if (!resources().containsKey(resource)) {
            throw new AssertionError("GetAtt on " + resource + ": no such resource");
        }
        return "{GetAtt:" + resource + "." + resourceAndAttribute.get(1) + "}";
    }

    private String substitute(Object argument) {
        if (!(argument instanceof String text)) {
            throw new AssertionError("Fn::Sub with a variable map is not evaluated by this test: " + argument);
        }
        Matcher matcher = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(1);
            String replacement;
            if (variable.startsWith("!")) {
                // ${!Literal} is the text ${Literal}: how a template writes an IAM policy variable.
                replacement = "${" + variable.substring(1) + "}";
            } else if (variable.contains(".") && !variable.startsWith("AWS::")) {
                String[] parts = variable.split("\\.", 2);
                replacement = attribute(List.of(parts[0], parts[1]));
            } else {
                replacement = reference(variable);
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
