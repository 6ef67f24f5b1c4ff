package dev.appliancesync.fleet;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonObject;

/**
 * A shadow attribute a query names, such as {@code reported.DoorOpened}: which document (reported or desired, a
 * column chosen here, never from the caller's text) and the names down to the attribute. The names are checked against
 * a pattern and then only ever bound as parameters (a text[] path or a jsonb document), so no name can reach SQL.
 */
record AttributePath(Side side, List<String> names) {

    enum Side {
        REPORTED("reported"), DESIRED("desired");

        final String column;

        Side(String column) {
            this.column = column;
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final int MAX_NAMES = 8;

    static AttributePath parse(String path) {
        String[] parts = path == null ? new String[0] : path.split("\\.", -1);
        if (parts.length < 2 || parts.length > MAX_NAMES + 1) {
            throw FleetErrors.badQuery("An attribute path is reported.<name> or desired.<name>, with up to "
                    + MAX_NAMES + " names separated by dots");
        }
        Side side = switch (parts[0]) {
            case "reported" -> Side.REPORTED;
            case "desired" -> Side.DESIRED;
            default -> throw FleetErrors.badQuery("An attribute path starts with reported. or desired.");
        };
        List<String> names = Arrays.asList(parts).subList(1, parts.length);
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw FleetErrors.badQuery("Attribute names are a letter or _ followed by up to 63 letters, digits "
                        + "or _; not allowed: " + abbreviated(name));
            }
        }
        return new AttributePath(side, List.copyOf(names));
    }

    /** The path as PostgreSQL's #> and #>> take it. */
    String[] pathArray() {
        return names.toArray(String[]::new);
    }

    /** The smallest document holding {@code value} at this path: what containment (@>) looks for. */
    JsonObject containing(Object value) {
        Object inner = value;
        for (int i = names.size() - 1; i >= 0; i--) {
            inner = new JsonObject().put(names.get(i), inner);
        }
        return (JsonObject) inner;
    }

    private static String abbreviated(String name) {
        return name.length() <= 40 ? "'" + name + "'" : "'" + name.substring(0, 40) + "...'";
    }
}
