package dev.appliancesync.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.appliance.ApplianceType;

/**
 * Writes a {@link FleetQuery} as one SQL condition over {@code appliance a} left joined with {@code device_presence p}.
 * Every value is bound ({@link SqlParams}); the statement's text comes only from this class. Shadow attributes are
 * tested with {@code exists} on device_state, equality and in-lists as containment (@>) so that the GIN indexes of V14
 * answer them. Malformed queries are BAD_QUERY, oversized ones QUERY_TOO_COMPLEX, before anything reaches the database.
 */
@ApplicationScoped
public class FleetPredicates {

    private final FleetConfig config;

    public FleetPredicates(FleetConfig config) {
        this.config = config;
    }

    /**
     * Fails as writing it would (BAD_QUERY, QUERY_TOO_COMPLEX), so a service can refuse a malformed query before any
     * decision or audit row, the same for everyone. Each statement writes the condition again at its own placeholder
     * numbers: pages, totals and counts bind other values first, so a written condition cannot be reused.
     */
    void check(FleetQuery query) {
        condition(query, new SqlParams());
    }

    /** The condition of {@code query}, its values bound to {@code params}. */
    String condition(FleetQuery query, SqlParams params) {
        return new Writer(params).query(query, 1);
    }

    /** One query's writing: counts the filters as it goes, so a query's size is bounded wherever it nests. */
    private final class Writer {

        private final SqlParams params;
        private int filters;

        Writer(SqlParams params) {
            this.params = params;
        }

        String query(FleetQuery query, int depth) {
            if (query == null) {
                throw FleetErrors.badQuery("A nested fleet query may not be null");
            }
            if (depth > config.maxDepth()) {
                throw FleetErrors.tooComplex("maxDepth", config.maxDepth());
            }
            List<String> all = new ArrayList<>();
            if (query.types() != null) {
                nonEmpty(query.types(), "types");
                all.add(filter("a.appliance_type = any(" + params.bind(
                        query.types().stream().map(ApplianceType::name).distinct().toArray(String[]::new)) + ")"));
            }
            if (query.firmware() != null) {
                all.add(firmware(query.firmware()));
            }
            if (query.online() != null) {
                all.add(filter("coalesce(p.online, false) = " + params.bind(query.online())));
            }
            if (query.lastSeenBefore() != null) {
                all.add(filter("p.last_seen_at < " + params.bind(query.lastSeenBefore())));
            }
            if (query.lastSeenAfter() != null) {
                all.add(filter("p.last_seen_at > " + params.bind(query.lastSeenAfter())));
            }
            if (query.householdId() != null) {
                all.add(filter("a.household_id = " + params.bind(household(query.householdId()))));
            }
            if (query.attributes() != null) {
                nonEmpty(query.attributes(), "attributes");
                for (AttributeFilter attribute : query.attributes()) {
                    all.add(attribute(attribute));
                }
            }
            if (query.and() != null) {
                nonEmpty(query.and(), "and");
                for (FleetQuery part : query.and()) {
                    all.add("(" + query(part, depth + 1) + ")");
                }
            }
            if (query.or() != null) {
                nonEmpty(query.or(), "or");
                List<String> any = new ArrayList<>();
                for (FleetQuery part : query.or()) {
                    any.add("(" + query(part, depth + 1) + ")");
                }
                all.add("(" + String.join(" or ", any) + ")");
            }
            if (query.not() != null) {
                // A comparison with a missing value (never seen, no firmware key) is unknown, not false: coalesce so
                // that `not` of it matches, as a caller reading "not last seen before X" expects.
                all.add("not coalesce((" + query(query.not(), depth + 1) + "), false)");
            }
            return all.isEmpty() ? "true" : String.join(" and ", all);
        }

        private String firmware(VersionFilter version) {
            List<String> all = new ArrayList<>();
            compare(all, version.eq(), "=");
            compare(all, version.ne(), "<>");
            compare(all, version.lt(), "<");
            compare(all, version.lte(), "<=");
            compare(all, version.gt(), ">");
            compare(all, version.gte(), ">=");
            if (all.isEmpty()) {
                throw FleetErrors.badQuery("firmware needs at least one of eq, ne, lt, lte, gt, gte");
            }
            return String.join(" and ", all);
        }

        private void compare(List<String> all, String version, String operator) {
            if (version != null) {
                all.add(filter(FirmwareVersion.SQL_KEY + " " + operator + " "
                        + params.bind(FirmwareVersion.key(version))));
            }
        }

        private String attribute(AttributeFilter filter) {
            if (filter == null) {
                throw FleetErrors.badQuery("An attribute filter may not be null");
            }
            AttributePath path = AttributePath.parse(filter.path());
            String column = "ds." + path.side().column;
            List<String> conditions = new ArrayList<>();
            if (filter.equals() != null) {
                conditions.add(filter(column + " @> " + params.bind(path.containing(json(filter.equals())))));
            }
            if (filter.in() != null) {
                nonEmpty(filter.in(), "in");
                if (filter.in().size() > config.maxInValues()) {
                    throw FleetErrors.tooComplex("maxInValues", config.maxInValues());
                }
                List<String> any = new ArrayList<>();
                for (AttributeValue value : filter.in()) {
                    any.add(column + " @> " + params.bind(path.containing(json(value))));
                }
                conditions.add(filter("(" + String.join(" or ", any) + ")"));
            }
            boolean ranged = filter.lt() != null || filter.lte() != null || filter.gt() != null || filter.gte() != null;
            if (ranged) {
                String at = params.bind(path.pathArray());
                String number = "(case when jsonb_typeof(" + column + " #> " + at + ") = 'number' then (" + column
                        + " #>> " + at + ")::float8 end)";
                range(conditions, number, filter.lt(), "<");
                range(conditions, number, filter.lte(), "<=");
                range(conditions, number, filter.gt(), ">");
                range(conditions, number, filter.gte(), ">=");
            }
            boolean absent = Boolean.FALSE.equals(filter.exists());
            if (absent && !conditions.isEmpty()) {
                throw FleetErrors.badQuery("exists: false cannot be combined with comparisons of the same attribute");
            }
            if (filter.exists() != null) {
                conditions.add(filter(column + " #> " + params.bind(path.pathArray()) + " is not null"));
            }
            if (conditions.isEmpty()) {
                throw FleetErrors.badQuery("An attribute filter needs equals, in, lt, lte, gt, gte or exists");
            }
            StringBuilder sql = new StringBuilder("exists (select 1 from device_state ds where ds.appliance_id = a.id");
            if (filter.shadow() != null) {
                if (filter.shadow().length() > 64) {
                    throw FleetErrors.badQuery("A shadow name has at most 64 characters");
                }
                sql.append(" and ds.shadow_name = ").append(params.bind(filter.shadow()));
            }
            for (String condition : conditions) {
                sql.append(" and ").append(condition);
            }
            sql.append(")");
            return absent ? "not " + sql : sql.toString();
        }

        private void range(List<String> conditions, String number, Double bound, String operator) {
            if (bound != null) {
                if (!Double.isFinite(bound)) {
                    throw FleetErrors.badQuery("A numeric bound must be a finite number");
                }
                conditions.add(filter(number + " " + operator + " " + params.bind(bound)));
            }
        }

        /** Counts one filter against the bound and returns it. */
        private String filter(String sql) {
            if (++filters > config.maxFilters()) {
                throw FleetErrors.tooComplex("maxFilters", config.maxFilters());
            }
            return sql;
        }
    }

    /** The JSON value of an attribute value; whole numbers as integers, which containment compares by value anyway. */
    private static Object json(AttributeValue value) {
        if (value == null) {
            throw FleetErrors.badQuery("An attribute value may not be null");
        }
        int given = (value.text() != null ? 1 : 0) + (value.number() != null ? 1 : 0) + (value.flag() != null ? 1 : 0);
        if (given != 1) {
            throw FleetErrors.badQuery("An attribute value sets exactly one of text, number, flag");
        }
        if (value.text() != null) {
            if (value.text().length() > 256) {
                throw FleetErrors.badQuery("A text value has at most 256 characters");
            }
            return value.text();
        }
        if (value.flag() != null) {
            return value.flag();
        }
        double number = value.number();
        if (!Double.isFinite(number)) {
            throw FleetErrors.badQuery("A number must be finite");
        }
        return number == Math.rint(number) && Math.abs(number) < 9.007199254740991E15 ? (Object) (long) number : number;
    }

    private static UUID household(String id) {
        try {
            if (id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // the one message below
        }
        throw FleetErrors.badQuery("householdId is not a household id");
    }

    private static void nonEmpty(List<?> list, String field) {
        if (list.isEmpty()) {
            throw FleetErrors.badQuery(field + " may not be an empty list: leave it out instead");
        }
        if (list.stream().anyMatch(java.util.Objects::isNull)) {
            throw FleetErrors.badQuery(field + " may not hold null");
        }
    }
}
