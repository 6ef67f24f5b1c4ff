package dev.appliancesync.migration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of a migration that are not safe to run while the previous release serves (expand/contract): a
 * rolling deploy migrates first, then replaces the old replicas one by one, so the old code must keep working on the
 * new schema, and no statement may hold a lock that stops the live service for long. Plain text rules, deliberately
 * cheap: they teach at {@code ./mvnw test} time what RollingDeployIT would find out minutes later, or not at all (a
 * lock held for long only shows on a big table).
 * <p>
 * A statement may carry {@code -- migration-safety: allow <rule> <why>} in its comments when it is safe anyway (the
 * old release no longer reads a column being dropped, say): the reason stays in the migration for the reviewer.
 */
final class MigrationSafety {

    enum Rule {
        /** The old release inserts rows without the column; a set not null also scans the whole table under lock. */
        NOT_NULL_WITHOUT_DEFAULT("not-null-without-default"),
        /** Without concurrently, building an index on an existing (possibly big) table blocks its writes. */
        INDEX_WITHOUT_CONCURRENTLY("index-without-concurrently"),
        /** The old release still reads and writes it. */
        DROP_COLUMN("drop-column"),
        DROP_TABLE("drop-table"),
        RENAME("rename"),
        /** Rewrites the table under an exclusive lock, and may break the old release's values. */
        COLUMN_TYPE_CHANGE("column-type-change");

        final String id;

        Rule(String id) {
            this.id = id;
        }
    }

    record Finding(String migration, Rule rule, String statement) {
        @Override
        public String toString() {
            return migration + ": " + rule.id + ": " + statement;
        }
    }

    private static final Pattern DOLLAR_QUOTED = Pattern.compile("\\$([a-z_]*)\\$.*?\\$\\1\\$", Pattern.DOTALL);
    private static final Pattern CREATE_TABLE = Pattern.compile("\\bcreate\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?(\\w+)");
    private static final Pattern CREATE_INDEX = Pattern.compile(
            "\\bcreate\\s+(?:unique\\s+)?index\\s+(concurrently\\s+)?(?:if\\s+not\\s+exists\\s+)?(?:\\w+\\s+)?on\\s+(?:only\\s+)?(\\w+)");
    private static final Pattern ALTER_TABLE = Pattern.compile("^\\s*alter\\s+table\\s+(?:if\\s+exists\\s+)?(?:only\\s+)?(\\w+)");
    private static final Pattern ADD_COLUMN = Pattern.compile("\\badd\\s+(?:column\\s+)?(?!constraint\\b)(.*?)(?=,\\s*add\\b|,\\s*alter\\b|,\\s*drop\\b|$)",
            Pattern.DOTALL);
    private static final Pattern SET_NOT_NULL = Pattern.compile("\\balter\\s+(?:column\\s+)?\\w+\\s+set\\s+not\\s+null\\b");
    private static final Pattern DROP_COLUMN = Pattern.compile("\\bdrop\\s+column\\b");
    private static final Pattern DROP_TABLE = Pattern.compile("\\bdrop\\s+table\\s+(?:if\\s+exists\\s+)?(\\w+)");
    private static final Pattern RENAME = Pattern.compile("\\brename\\s+(?:column\\s+|constraint\\s+)?(?:\\w+\\s+)?to\\b");
    private static final Pattern TYPE_CHANGE = Pattern.compile("\\balter\\s+(?:column\\s+)?\\w+\\s+(?:set\\s+data\\s+)?type\\b");
    private static final Pattern COMMENT = Pattern.compile("--[^\\n]*");
    private static final Pattern ALLOW = Pattern.compile("--\\s*migration-safety:\\s*allow\\s+([a-z-]+)");
    private static final Pattern ALLOW_TOKEN = Pattern.compile("@allow\\(([a-z-]+)\\)");

    /** Tables created by the migrations checked so far: an index on one of them may meet a big table. */
    private final Set<String> existingTables = new HashSet<>();

    /** The findings of one migration; call in version order, so that earlier migrations' tables count as existing. */
    List<Finding> check(String migration, String sql) {
        List<Finding> findings = new ArrayList<>();
        Set<String> createdHere = new HashSet<>();
        // Function bodies are not run by the migration; comments may hold semicolons: neither is split into
        // statements. Allow markers become tokens that stay with the statement they precede.
        String text = DOLLAR_QUOTED.matcher(sql.toLowerCase(Locale.ROOT)).replaceAll("\\$\\$ \\$\\$");
        text = COMMENT.matcher(text).replaceAll(comment -> {
            Matcher allow = ALLOW.matcher(comment.group());
            return allow.find() ? " @allow(" + allow.group(1) + ") " : " ";
        });
        for (String statement : text.split(";")) {
            Set<String> allowed = new HashSet<>();
            Matcher allow = ALLOW_TOKEN.matcher(statement);
            while (allow.find()) {
                allowed.add(allow.group(1));
            }
            String code = ALLOW_TOKEN.matcher(statement).replaceAll(" ").strip();
            if (code.isEmpty()) {
                continue;
            }
            String oneLine = code.replaceAll("\\s+", " ");
            List<Rule> broken = new ArrayList<>();
            Matcher created = CREATE_TABLE.matcher(code);
            if (created.find()) {
                createdHere.add(created.group(1));
            }
            Matcher index = CREATE_INDEX.matcher(code);
            if (index.find() && index.group(1) == null && existingTables.contains(index.group(2))) {
                broken.add(Rule.INDEX_WITHOUT_CONCURRENTLY);
            }
            Matcher alter = ALTER_TABLE.matcher(code);
            if (alter.find()) {
                String actions = code.substring(alter.end());
                Matcher add = ADD_COLUMN.matcher(actions);
                while (add.find()) {
                    String column = add.group(1);
                    if (column.matches("(?s).*\\bnot\\s+null\\b.*") && !column.matches("(?s).*\\bdefault\\b.*")) {
                        broken.add(Rule.NOT_NULL_WITHOUT_DEFAULT);
                    }
                }
                if (SET_NOT_NULL.matcher(actions).find()) {
                    broken.add(Rule.NOT_NULL_WITHOUT_DEFAULT);
                }
                if (DROP_COLUMN.matcher(actions).find()) {
                    broken.add(Rule.DROP_COLUMN);
                }
                if (TYPE_CHANGE.matcher(actions).find()) {
                    broken.add(Rule.COLUMN_TYPE_CHANGE);
                }
            }
            if (RENAME.matcher(code).find()) {
                broken.add(Rule.RENAME);
            }
            Matcher drop = DROP_TABLE.matcher(code);
            if (drop.find() && existingTables.contains(drop.group(1))) {
                broken.add(Rule.DROP_TABLE);
            }
            broken.stream().distinct().filter(rule -> !allowed.contains(rule.id))
                    .forEach(rule -> findings.add(new Finding(migration, rule, oneLine)));
        }
        existingTables.addAll(createdHere);
        return findings;
    }
}
