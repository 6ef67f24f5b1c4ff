package dev.appliancesync.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.appliancesync.cloud.CloudConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;

/**
 * Every setting the application knows, by the environment variable that sets it: what a deploy file may put in a
 * container's environment. Gathered from the application and its libraries, never listed by hand:
 * <ul>
 * <li>Quarkus and its extensions: the configuration model each extension ships
 * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}), with the phase of each property;</li>
 * <li>ours: every {@code @ConfigMapping} interface of the application, walked by SmallRye Config itself;</li>
 * <li>application.properties: its keys (any profile) and the properties its ${...} expressions read.</li>
 * </ul>
 * (The MQTT connection's settings, {@code mp.messaging.connector.smallrye-mqtt.*}, are those of our own
 * {@code MqttConnectionConfig}, found with the other mappings: the SmallRye connector is no longer used.)
 * Environment variable names follow SmallRye Config: upper case, every other character than a letter or digit an
 * underscore; a map key ({@code *}) matches any run of those.
 */
final class KnownSettings {

    /** A setting's phase in Quarkus's model; our own settings are all read at run time. */
    enum Phase {
        BUILD_TIME, BUILD_AND_RUN_TIME_FIXED, RUN_TIME
    }

    record Setting(String property, Phase phase, String source) {
    }

    private final Map<String, Setting> exact = new LinkedHashMap<>();
    private final Map<Pattern, Setting> patterns = new LinkedHashMap<>();

    private KnownSettings() {
    }

    static KnownSettings load(ApplicationProperties properties) {
        KnownSettings known = new KnownSettings();
        known.addQuarkusModels();
        known.addConfigMappings();
        properties.keys().forEach(key -> known.add(key, Phase.RUN_TIME, ApplicationProperties.FILE.toString()));
        properties.referenced().forEach(name -> known.add(name, Phase.RUN_TIME, ApplicationProperties.FILE + " ${...}"));
        return known;
    }

    /** The setting an environment variable sets, if the application knows one. */
    Optional<Setting> byEnvironmentVariable(String name) {
        Setting setting = exact.get(name);
        if (setting != null) {
            return Optional.of(setting);
        }
        return patterns.entrySet().stream().filter(e -> e.getKey().matcher(name).matches()).map(Map.Entry::getValue)
                .findFirst();
    }

    /** The default Quarkus's model gives a property, if any. */
    Optional<String> quarkusDefault(String property) {
        return Optional.ofNullable(quarkusDefaults.get(property));
    }

    int size() {
        return exact.size() + patterns.size();
    }

    static String environmentVariable(String property) {
        StringBuilder env = new StringBuilder();
        for (char c : property.toCharArray()) {
            env.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return env.toString();
    }

    private final Map<String, String> quarkusDefaults = new LinkedHashMap<>();

    private void addQuarkusModels() {
        ObjectMapper json = new ObjectMapper();
        try {
            List<URL> models = Collections.list(Thread.currentThread().getContextClassLoader()
                    .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json"));
            if (models.isEmpty()) {
                throw new AssertionError("no Quarkus configuration model on the class path");
            }
            for (URL model : models) {
                try (InputStream in = model.openStream()) {
                    walkModel(json.readTree(in), model.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void walkModel(JsonNode node, String source) {
        if (node.isObject()) {
            JsonNode path = node.get("path");
            if (path != null && path.has("environmentVariable") && node.has("phase")) {
                Phase phase = Phase.valueOf(node.get("phase").asText());
                addModelPath(path, phase, source);
                if (node.has("defaultValue")) {
                    quarkusDefaults.put(path.get("property").asText(), node.get("defaultValue").asText());
                }
                node.path("additionalPaths").forEach(additional -> addModelPath(additional, phase, source));
            }
            node.forEach(child -> walkModel(child, source));
        } else if (node.isArray()) {
            node.forEach(child -> walkModel(child, source));
        }
    }

    private void addModelPath(JsonNode path, Phase phase, String source) {
        String env = path.get("environmentVariable").asText();
        Setting setting = new Setting(path.get("property").asText(), phase, source);
        if (env.contains("__")) {
            // A quoted map key ("tenant") is spelled __KEY__ in the environment: any key matches.
            patterns.put(Pattern.compile(Pattern.quote(env).replaceAll("__[A-Z0-9_]+?__", "\\\\E__[A-Z0-9_]+__\\\\Q")),
                    setting);
        } else {
            exact.put(env, setting);
        }
    }

    private void addConfigMappings() {
        Path classes;
        try {
            classes = Path.of(CloudConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Class<?>> mappings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                        .replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, KnownSettings.class.getClassLoader());
                if (type.isAnnotationPresent(ConfigMapping.class)) {
                    mappings.add(type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        if (!mappings.contains(CloudConfig.class)) {
            throw new AssertionError("the @ConfigMapping scan of " + classes + " missed CloudConfig");
        }
        for (Class<?> mapping : mappings) {
            for (String property : ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(mapping)).keySet()) {
                add(property, Phase.RUN_TIME, mapping.getName());
            }
        }
    }

    private void add(String property, Phase phase, String source) {
        Setting setting = new Setting(property, phase, source);
        if (property.contains("*")) {
            StringBuilder regex = new StringBuilder();
            String[] parts = property.split("\\*", -1);
            for (int i = 0; i < parts.length; i++) {
                regex.append(Pattern.quote(environmentVariable(parts[i])));
                if (i < parts.length - 1) {
                    regex.append("[A-Z0-9_]+");
                }
            }
            patterns.putIfAbsent(Pattern.compile(regex.toString()), setting);
        } else {
            exact.putIfAbsent(environmentVariable(property).toUpperCase(Locale.ROOT), setting);
        }
    }
}
