package dev.appliancesync.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** src/main/resources/application.properties as Quarkus reads it for one profile: profile keys win, ${...} expands. */
final class ApplicationProperties {

    static final Path FILE = Path.of("src", "main", "resources", "application.properties");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

    /** Key (without profile) → value, per profile ("" for the keys without one). */
    private final Map<String, Map<String, String>> byProfile = new LinkedHashMap<>();

    private ApplicationProperties() {
    }

    static ApplicationProperties load() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(FILE, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ApplicationProperties loaded = new ApplicationProperties();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key);
            if (key.startsWith("%")) {
                int dot = key.indexOf('.');
                for (String profile : key.substring(1, dot).split(",")) {
                    loaded.byProfile.computeIfAbsent(profile, p -> new LinkedHashMap<>()).put(key.substring(dot + 1), value);
                }
            } else {
                loaded.byProfile.computeIfAbsent("", p -> new LinkedHashMap<>()).put(key, value);
            }
        }
        return loaded;
    }

    /** Every key, whatever its profile. */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        byProfile.values().forEach(m -> keys.addAll(m.keySet()));
        return keys;
    }

    /** Every property named in a ${...} expression. */
    Set<String> referenced() {
        Set<String> names = new TreeSet<>();
        byProfile.values().forEach(m -> m.values().forEach(value -> {
            Matcher matcher = EXPRESSION.matcher(value);
            while (matcher.find()) {
                names.add(matcher.group(1));
                // A default may hold another expression: ${HOSTNAME:${quarkus.uuid}}.
                if (matcher.group(2) != null) {
                    names.add(matcher.group(2).replaceFirst("^\\$\\{", ""));
                }
            }
        }));
        return names;
    }

    /** The raw value for the profile, or else the profile-less one. */
    Optional<String> raw(String profile, String key) {
        String value = byProfile.getOrDefault(profile, Map.of()).get(key);
        return Optional.ofNullable(value != null ? value : byProfile.getOrDefault("", Map.of()).get(key));
    }

    /** The value for the prod profile with every ${...} expanded; {@code outside} answers names the file lacks. */
    Optional<String> prod(String key, Function<String, String> outside) {
        return raw("prod", key).map(value -> expand(value, outside));
    }

    Optional<String> prod(String key) {
        return prod(key, name -> null);
    }

    private String expand(String value, Function<String, String> outside) {
        // Innermost first, so that ${a:${b}} sees b's value as its default.
        String current = value;
        for (int round = 0; round < 10 && current.contains("${"); round++) {
            Matcher matcher = Pattern.compile("\\$\\{([^:}$]+)(?::([^}$]*))?}").matcher(current);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                String resolved = raw("prod", name).orElseGet(() -> outside.apply(name));
                if (resolved == null) {
                    resolved = matcher.group(2);
                }
                if (resolved == null) {
                    throw new AssertionError("application.properties: nothing resolves ${" + name + "} in " + value);
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(resolved));
            }
            matcher.appendTail(out);
            current = out.toString();
        }
        return current;
    }
}
