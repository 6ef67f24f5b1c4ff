package dev.appliancesync.benchmark;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.appliancesync.benchmark.PostgresStatementLog.Statement;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A transaction as PostgreSQL logged it ({@link PostgresStatementLog}), run again through a {@link Pool} with other
 * values: the same SQL texts in the same order, in one transaction, each parameter the logged one with the captured
 * ids replaced ({@link #run}). Parameter types are PostgreSQL's own inference for each text (PREPARE, as the client's
 * unnamed-type Parse gets), so values go out as the same types. Consecutive executions of one text are one batch, as
 * the client's {@code executeBatch} sent them; everything else runs one statement after the other.
 */
final class StatementReplay {

    /** A value the transaction itself creates: what the step whose SQL contains {@code sqlPart} returns in
     * {@code column} stands for {@code captured} in later statements. */
    record Created(String sqlPart, String column, String captured) {
    }

    /** One text with its parameter types, executed once per row of logged parameters (more rows: a batch). */
    private record Step(String sql, List<String> types, List<List<String>> rows) {
    }

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** PostgreSQL's text form of timestamptz: {@code 2026-11-22 11:41:13.157+00}. */
    private static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:mm", "+00").toFormatter();

    private final List<Statement> captured;
    private final List<Step> steps;
    private final Created created;

    private StatementReplay(List<Statement> captured, List<Step> steps, Created created) {
        this.captured = captured;
        this.steps = steps;
        this.created = created;
    }

    /** The replay of {@code statements}; asks PostgreSQL (on {@code pool}) for their parameter types. */
    static StatementReplay of(Pool pool, List<Statement> statements, Created created) {
        List<Step> steps = new ArrayList<>();
        for (Statement statement : statements) {
            Step last = steps.isEmpty() ? null : steps.getLast();
            if (last != null && last.sql().equals(statement.sql())) {
                last.rows().add(statement.parameters());
            } else {
                steps.add(new Step(statement.sql(), parameterTypes(pool, statement.sql()),
                        new ArrayList<>(List.of(statement.parameters()))));
            }
        }
        for (Step step : steps) {
            for (List<String> row : step.rows()) {
                if (row.size() != step.types().size()) {
                    throw new IllegalStateException(row.size() + " parameters logged for " + step.types().size()
                            + " placeholders: " + step.sql());
                }
            }
        }
        return new StatementReplay(List.copyOf(statements), steps, created);
    }

    /** Statements executed, batch rows counted one by one (as PostgreSQL logs them). */
    int statements() {
        return captured.size();
    }

    /** Round trips in a transaction run one after the other: BEGIN, each step, COMMIT. */
    int roundTrips() {
        return steps.size() + 2;
    }

    List<String> sql() {
        return captured.stream().map(Statement::sql).toList();
    }

    /** The captured value the transaction creates, replaced by what the replay creates. */
    String createdValue() {
        return created.captured();
    }

    /** Every id in the logged parameters: each must be replaced, or the replay would touch the captured rows. */
    Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        for (Statement statement : captured) {
            for (String value : statement.parameters()) {
                Matcher matcher = UUID_TEXT.matcher(value == null ? "" : value);
                while (matcher.find()) {
                    ids.add(matcher.group());
                }
            }
        }
        return ids;
    }

    /** The statements PostgreSQL should log for a run with these values (those {@link #run} returned). */
    List<Statement> expected(Map<String, String> values) {
        return captured.stream().map(s -> new Statement(s.sql(), s.parameters().stream()
                .map(p -> replace(p, values)).toList())).toList();
    }

    /**
     * Runs the statements in one transaction, every captured value that is a key of {@code replacements} replaced by
     * its value (in any parameter, also inside JSON and text). Returns the replacements with the created value added.
     */
    Uni<Map<String, String>> run(Pool pool, Map<String, String> replacements) {
        Map<String, String> values = new LinkedHashMap<>(replacements);
        return pool.withTransaction(tx -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Step step : steps) {
                chain = chain.chain(() -> execute(tx, step, values));
            }
            return chain.replaceWith(values);
        });
    }

    private Uni<Void> execute(SqlConnection tx, Step step, Map<String, String> values) {
        List<Tuple> tuples = step.rows().stream().map(row -> tuple(step.types(), row, values)).toList();
        Uni<RowSet<Row>> executed = tuples.size() == 1 ? tx.preparedQuery(step.sql()).execute(tuples.getFirst())
                : tx.preparedQuery(step.sql()).executeBatch(tuples);
        return executed.invoke(rows -> {
            if (step.sql().contains(created.sqlPart())) {
                values.put(created.captured(), rows.iterator().next().getValue(created.column()).toString());
            }
        }).replaceWithVoid();
    }

    private static Tuple tuple(List<String> types, List<String> row, Map<String, String> values) {
        Object[] converted = new Object[row.size()];
        for (int i = 0; i < row.size(); i++) {
            converted[i] = value(types.get(i), replace(row.get(i), values));
        }
        return Tuple.from(converted);
    }

    private static String replace(String text, Map<String, String> values) {
        if (text == null) {
            return null;
        }
        String replaced = text;
        for (Map.Entry<String, String> value : values.entrySet()) {
            replaced = replaced.replace(value.getKey(), value.getValue());
        }
        return replaced;
    }

    /** A logged value (text) as the Java type the client sends for {@code type}. */
    static Object value(String type, String text) {
        if (text == null) {
            return null;
        }
        if (type.endsWith("[]")) {
            String element = type.substring(0, type.length() - 2);
            List<String> items = arrayItems(text);
            return switch (element) {
                case "uuid" -> items.stream().map(item -> item == null ? null : UUID.fromString(item))
                        .toArray(UUID[]::new);
                case "text", "character varying" -> items.toArray(String[]::new);
                default -> throw new IllegalArgumentException("no conversion for parameters of type " + type);
            };
        }
        return switch (type) {
            case "uuid" -> UUID.fromString(text);
            case "text", "character varying", "character" -> text;
            case "boolean" -> text.equals("t") || text.equals("true");
            case "smallint" -> Short.valueOf(text);
            case "integer" -> Integer.valueOf(text);
            case "bigint" -> Long.valueOf(text);
            case "double precision" -> Double.valueOf(text);
            case "numeric" -> new BigDecimal(text);
            case "json", "jsonb" -> Json.decodeValue(text);
            case "timestamp with time zone" -> OffsetDateTime.parse(text, TIMESTAMPTZ);
            default -> throw new IllegalArgumentException("no conversion for parameters of type " + type);
        };
    }

    /**
     * {@code {a,"b \"c\"",NULL}}: the items of a one-dimensional array literal as PostgreSQL writes it, quoted
     * items unquoted (backslash escapes undone), an unquoted NULL as null.
     */
    static List<String> arrayItems(String literal) {
        if (!literal.startsWith("{") || !literal.endsWith("}")) {
            throw new IllegalArgumentException("not an array literal: " + literal);
        }
        List<String> items = new ArrayList<>();
        String inner = literal.substring(1, literal.length() - 1);
        int i = 0;
        while (i < inner.length()) {
            StringBuilder item = new StringBuilder();
            boolean quoted = inner.charAt(i) == '"';
            if (quoted) {
                for (i++; inner.charAt(i) != '"'; i++) {
                    item.append(inner.charAt(i) == '\\' ? inner.charAt(++i) : inner.charAt(i));
                }
                i++;
            } else {
                for (; i < inner.length() && inner.charAt(i) != ','; i++) {
                    item.append(inner.charAt(i));
                }
            }
            items.add(!quoted && item.toString().equals("NULL") ? null : item.toString());
            if (i < inner.length() && inner.charAt(i++) != ',') {
                throw new IllegalArgumentException("no separator at " + (i - 1) + ": " + literal);
            }
        }
        return items;
    }

    /** PostgreSQL's inference of the parameter types of {@code sql}, as for the client's Parse without types. */
    private static List<String> parameterTypes(Pool pool, String sql) {
        String name = "replay_types";
        Function<SqlConnection, Uni<List<String>>> infer = connection -> connection.query("prepare " + name + " as "
                        + sql).execute()
                .chain(() -> connection.preparedQuery("select parameter_types::text[] from pg_prepared_statements "
                        + "where name = $1").execute(Tuple.of(name)))
                .map(rows -> List.of(rows.iterator().next().getArrayOfStrings(0)))
                .call(() -> connection.query("deallocate " + name).execute());
        return pool.withConnection(infer).await().atMost(java.time.Duration.ofSeconds(30));
    }
}
