package dev.appliancesync.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The deploy files (deploy/, the Dockerfiles) as data, for the tests that check them against the application. Paths
 * are relative to the project directory, where Maven runs the tests.
 */
public final class DeployFiles {

    public static final Path KUBERNETES = Path.of("deploy", "kubernetes");
    public static final Path DEPLOYMENT = KUBERNETES.resolve("deployment.yaml");
    public static final Path SECRET_TEMPLATE = KUBERNETES.resolve("secret.template.yaml");
    public static final Path KUSTOMIZATION = KUBERNETES.resolve("kustomization.yaml");
    public static final Path COMPOSE = Path.of("deploy", "compose.yaml");
    public static final Path CLOUDFORMATION = Path.of("deploy", "aws", "appliance-sync.cfn.yaml");
    /** The IoT policy operators attach to every appliance's certificate (a PolicyTemplate). */
    public static final Path DEVICE_POLICY = Path.of("deploy", "aws", "device-iot-policy.json");
    public static final Path DOCKERFILE = Path.of("Dockerfile");
    public static final Path DOCKERFILE_JVM = Path.of("Dockerfile.jvm");
    public static final Path DOCKERIGNORE = Path.of(".dockerignore");
    /** Every production setting, in tables (the deploy files set each or leave it at its default on purpose). */
    public static final Path CONFIGURATION_DOC = Path.of("docs", "configuration.md");
    /** The walk-through from nothing to a running service. */
    public static final Path DEPLOYMENT_DOC = Path.of("docs", "deployment.md");

    private DeployFiles() {
    }

    /** Every document of a YAML file; CloudFormation's short tags become their long form ({@code !Sub x} → {@code {Fn::Sub: x}}). */
    public static List<Object> yamlDocuments(Path file) {
        LoaderOptions options = new LoaderOptions();
        // A key given twice is kept once by most tools, silently; here it is an error.
        options.setAllowDuplicateKeys(false);
        List<Object> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object document : new Yaml(new CloudFormationConstructor(options)).loadAll(reader)) {
                if (document != null) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    /** A YAML file of exactly one document, a mapping. */
    public static Map<String, Object> yaml(Path file) {
        List<Object> documents = yamlDocuments(file);
        if (documents.size() != 1 || !(documents.getFirst() instanceof Map<?, ?>)) {
            throw new AssertionError(file + " should hold one YAML mapping, has " + documents.size() + " documents");
        }
        return map(documents.getFirst());
    }

    /** Every Kubernetes object of the manifests that kustomize applies and of the Secret template. */
    public static List<Map<String, Object>> kubernetesObjects() {
        List<Map<String, Object>> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.equals(KUSTOMIZATION)) {
                    continue;
                }
                yamlDocuments(file).forEach(document -> objects.add(map(document)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    /** The one object of that kind and name. */
    public static Map<String, Object> object(List<Map<String, Object>> objects, String kind, String name) {
        List<Map<String, Object>> found = objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(string(o, "metadata", "name"))).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " named " + name + " in " + KUBERNETES + ", found "
                    + found.size());
        }
        return found.getFirst();
    }

    /** The one object of that kind. */
    public static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
        List<Map<String, Object>> found = objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " in " + KUBERNETES + ", found " + found.size());
        }
        return found.getFirst();
    }

    /** The Deployment's one container. */
    public static Map<String, Object> deploymentContainer() {
        Map<String, Object> deployment = only(kubernetesObjects(), "Deployment");
        List<Object> containers = list(deployment, "spec", "template", "spec", "containers");
        if (containers.size() != 1) {
            throw new AssertionError("the Deployment should run one container, runs " + containers.size());
        }
        return map(containers.getFirst());
    }

    /** The HTTP GET paths of the Deployment's probes, by probe ({@code startupProbe}, ...). */
    public static Map<String, String> probePaths() {
        Map<String, Object> container = deploymentContainer();
        Map<String, String> paths = new LinkedHashMap<>();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            paths.put(probe, string(container, probe, "httpGet", "path"));
        }
        return paths;
    }

    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- Navigation; each step fails with the path it could not follow -----------------------------------------

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object node, String... path) {
        Object value = at(node, path);
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError("not a mapping at " + String.join(".", path) + ": " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object node, String... path) {
        Object value = at(node, path);
        if (!(value instanceof List<?>)) {
            throw new AssertionError("not a list at " + String.join(".", path) + ": " + value);
        }
        return (List<Object>) value;
    }

    public static String string(Object node, String... path) {
        Object value = at(node, path);
        if (!(value instanceof String s)) {
            throw new AssertionError("not a string at " + String.join(".", path) + ": " + value);
        }
        return s;
    }

    /** The value at that path, or null where the path ends early. */
    public static Object find(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    private static Object at(Object node, String... path) {
        Object value = find(node, path);
        if (value == null) {
            throw new AssertionError("nothing at " + String.join(".", path));
        }
        return value;
    }

    /**
     * SnakeYAML's safe types plus CloudFormation's short-form intrinsic functions, turned into their JSON form as
     * CloudFormation itself does: {@code !Ref X} → {@code {Ref: X}}, {@code !GetAtt A.B} → {@code {Fn::GetAtt: [A, B]}},
     * {@code !Name v} → {@code {Fn::Name: v}}. Any other tag is still refused.
     */
    private static final class CloudFormationConstructor extends SafeConstructor {

        CloudFormationConstructor(LoaderOptions options) {
            super(options);
            this.yamlConstructors.put(null, new ConstructIntrinsic());
        }

        private final class ConstructIntrinsic extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                String tag = node.getTag().getValue();
                if (!tag.startsWith("!") || tag.startsWith("!!")) {
                    throw new AssertionError("unexpected YAML tag " + tag + " at " + node.getStartMark());
                }
                String name = tag.substring(1);
                Object value = switch (node) {
                    case ScalarNode scalar -> constructScalar(scalar);
                    case SequenceNode sequence -> constructSequence(sequence);
                    case MappingNode mapping -> constructMapping(mapping);
                    default -> throw new AssertionError("unexpected node " + node);
                };
                if (name.equals("Ref") || name.equals("Condition")) {
                    return Map.of(name, value);
                }
                if (name.equals("GetAtt") && value instanceof String dotted) {
                    int dot = dotted.indexOf('.');
                    value = List.of(dotted.substring(0, dot), dotted.substring(dot + 1));
                }
                return Map.of("Fn::" + name, value);
            }
        }
    }
}
