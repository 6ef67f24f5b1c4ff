package dev.appliancesync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

import dev.appliancesync.migration.MigrationSafety.Finding;
import dev.appliancesync.migration.MigrationSafety.Rule;

/**
 * Every migration is safe to run while the previous release serves (expand/contract; docs/deployment.md,
 * "Migrations"), or says why in a {@code -- migration-safety: allow <rule> <why>} comment. RollingDeployIT proves it
 * against the previous release itself; this is the quick check that fails at {@code ./mvnw test}.
 */
class MigrationSafetyTest {

    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    /**
     * Published migrations that break the rule and can no longer be edited (Flyway checks their checksums), with the
     * rules they break. Nothing may be added here: a new migration that needs an exception says so in its own comment.
     */
    private static final Map<String, Set<Rule>> PUBLISHED_EXCEPTIONS = Map.of(
            // factory_thing_name added, filled in, then made NOT NULL in one go: the previous release's inserts
            // failed until it was replaced, and the set not null scanned appliance under an exclusive lock (issue 16).
            "V2__factory_thing_names.sql", Set.of(Rule.NOT_NULL_WITHOUT_DEFAULT),
            // change_log's indexes dropped and rebuilt without concurrently: writes to change_log (every mutation and
            // device message) waited for the whole rebuild (issue 16).
            "V3__realtime.sql", Set.of(Rule.INDEX_WITHOUT_CONCURRENTLY),
            // A partial index on command built without concurrently: commands wait while it builds.
            "V7__command_outbox.sql", Set.of(Rule.INDEX_WITHOUT_CONCURRENTLY),
            // Drops the column 0.5.0 reads and writes: 0.5.0 applies no device message once it has run
            // (RollingDeployIT against 0.5.0 shows it; docs/deployment.md, "Upgrading from 0.5.0").
            "V8__fixed_thing_names.sql", Set.of(Rule.DROP_COLUMN));

    @Test
    void everyMigrationIsSafeUnderThePreviousRelease() throws IOException {
        MigrationSafety safety = new MigrationSafety();
        List<Finding> unexcused = new ArrayList<>();
        for (Path migration : migrations()) {
            String name = migration.getFileName().toString();
            Set<Rule> excused = PUBLISHED_EXCEPTIONS.getOrDefault(name, Set.of());
            List<Finding> findings = safety.check(name, Files.readString(migration));
            // An exception that no longer applies is removed, so the list only ever names real ones.
            assertThat(findings.stream().map(Finding::rule).collect(Collectors.toSet()))
                    .as("the exceptions listed for %s", name).containsAll(excused);
            findings.stream().filter(finding -> !excused.contains(finding.rule())).forEach(unexcused::add);
        }
        assertThat(unexcused).as("statements a rolling deploy cannot run while the previous release serves; make "
                + "them expand/contract (docs/deployment.md, \"Migrations\"), or add "
                + "'-- migration-safety: allow <rule> <why>' above a statement that is safe anyway").isEmpty();
    }

    @Test
    void eachRuleCatchesWhatItIsAbout() {
        MigrationSafety safety = new MigrationSafety();
        assertThat(safety.check("V1__t.sql", """
                create table big (id bigint primary key, a text);
                create index big_a_idx on big (a);
                """)).as("an index on a table created in the same migration is fine").isEmpty();
        assertThat(rules(safety.check("V2__t.sql", """
                -- a comment; with a semicolon
                alter table big add column b text not null;
                alter table big add column c text not null default 'x', add column d integer;
                alter table big alter column a set not null;
                create index big_b_idx on big (b);
                create index concurrently big_c_idx on big (c);
                create unique index if not exists big_d_uq on big (d);
                alter table big drop column a;
                alter table big rename column c to e;
                alter table big rename to bigger;
                alter table big alter column d type bigint;
                drop table big;
                create function f() returns trigger language plpgsql as $$ begin drop table big; return new; end $$;
                """))).containsExactly(Rule.NOT_NULL_WITHOUT_DEFAULT, Rule.NOT_NULL_WITHOUT_DEFAULT,
                Rule.INDEX_WITHOUT_CONCURRENTLY, Rule.INDEX_WITHOUT_CONCURRENTLY, Rule.DROP_COLUMN, Rule.RENAME,
                Rule.RENAME, Rule.COLUMN_TYPE_CHANGE, Rule.DROP_TABLE);
    }

    @Test
    void anAllowMarkerExcusesItsOwnStatementOnly() {
        MigrationSafety safety = new MigrationSafety();
        safety.check("V1__t.sql", "create table big (id bigint primary key, a text, b text);");
        assertThat(rules(safety.check("V2__t.sql", """
                -- migration-safety: allow drop-column nothing has read a since the release before
                alter table big drop column a;
                alter table big drop column b;
                """))).containsExactly(Rule.DROP_COLUMN);
    }

    private static List<Rule> rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList();
    }

    /** In Flyway's order (V10 after V9). */
    private static List<Path> migrations() throws IOException {
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            return files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted(Comparator.comparing(f -> MigrationVersion.fromVersion(
                            f.getFileName().toString().substring(1, f.getFileName().toString().indexOf("__")))))
                    .toList();
        }
    }
}
