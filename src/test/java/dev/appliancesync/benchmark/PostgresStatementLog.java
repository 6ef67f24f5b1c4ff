package dev.appliancesync.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * What the embedded PostgreSQL itself says it executed, transaction by transaction. While open, the server logs every
 * statement ({@code log_statement = all}, with a prefix naming the session and numbering its lines; set with ALTER
 * SYSTEM and a reload, reset on {@link #close}), and this reads the server's standard error, where it logs, through
 * {@code /proc} (Linux only). Statements of the extended protocol come with their parameters as PostgreSQL received
 * them: text, {@code null} for NULL.
 * <p>
 * Why the pipe and not zonky's logger, which forwards the server's output: zonky reads it through the {@link Process}
 * of {@code pg_ctl}, which has long exited (the JDK's process reaper takes that stream over), and in practice only a
 * handful of lines arrive that way. A reader of its own may still lose a chunk to zonky's, and a long message may
 * interleave with another session's; so a transaction only counts as {@link Transaction#complete} when its session's
 * line numbers run without a gap from its BEGIN to its COMMIT and every line of it parsed.
 * <p>
 * A reload reaches each backend asynchronously, so {@link #start} waits (bounded) until every connection the pool can
 * hold reports the new setting: a transaction on any of them is then logged from its BEGIN. Only for the embedded
 * server of tests and benchmarks, where the application's user is the superuser.
 */
final class PostgresStatementLog implements AutoCloseable {

    /** A statement as PostgreSQL logged it: the SQL text, and its parameters ($1 first), empty when it had none. */
    record Statement(String sql, List<String> parameters) {
    }

    /** A committed transaction of one session: its statements between BEGIN and COMMIT, both excluded. */
    record Transaction(String session, List<Statement> statements, boolean complete) {

        boolean has(Predicate<Statement> test) {
            return statements.stream().anyMatch(test);
        }
    }

    private static final String MARK = "pgstmt|";
    /** Our prefix (session id, line number), then PostgreSQL's own "LOG:  ..." or "DETAIL:  ...". */
    private static final Pattern LINE = Pattern.compile(Pattern.quote(MARK) + "([^|]*)\\|(\\d+)\\|([A-Z]+):  (.*)",
            Pattern.DOTALL);
    private static final Pattern STATEMENT = Pattern.compile("(?:statement|execute [^:]*): (.*)", Pattern.DOTALL);
    private static final Pattern PARAMETERS = Pattern.compile("Parameters: (.*)", Pattern.DOTALL);
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Pool pool;
    private final FileChannel output;
    private final Thread reader;
    /** Lines of the server's output, a continuation (PostgreSQL starts it with a tab) joined to its line. */
    private final List<String> lines = new ArrayList<>();
    /** Changes to {@link #lines} so far (a continuation changes a line without adding one). */
    private long changes;

    private PostgresStatementLog(Pool pool, FileChannel output) {
        this.pool = pool;
        this.output = output;
        this.reader = Thread.ofPlatform().daemon().name("postgres-statement-log").unstarted(this::read);
    }

    /** Starts logging every statement; returns once each of the pool's {@code poolSize} connections does. */
    static PostgresStatementLog start(Pool pool, int poolSize) {
        PostgresStatementLog log = new PostgresStatementLog(pool, openServerOutput(pool));
        log.reader.start();
        try {
            log.configure("alter system set log_line_prefix = '" + MARK + "%c|%l|'",
                    "alter system set log_statement = 'all'");
            log.awaitEveryConnection(poolSize);
        } catch (RuntimeException | Error e) {
            log.close();
            throw e;
        }
        return log;
    }

    /** The first committed transaction that passes {@code test}, waiting for the server's output up to a bound. */
    Transaction await(String what, Predicate<Transaction> test) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        long seen = -1;
        while (true) {
            List<String> logged;
            synchronized (lines) {
                while (changes == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("PostgreSQL logged no transaction " + what + " within " + BOUND);
                    }
                    try {
                        lines.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                seen = changes;
                logged = List.copyOf(lines);
            }
            // Parsed outside the lock, so the reader keeps draining the pipe (a full pipe stalls the server).
            Optional<Transaction> found = transactions(logged).stream().filter(test).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
    }

    /** Every committed transaction in {@code logged}, in the order of their COMMITs. */
    private static List<Transaction> transactions(List<String> logged) {
        Map<String, Session> sessions = new HashMap<>();
        List<Transaction> committed = new ArrayList<>();
        for (String line : logged) {
            Matcher matcher = LINE.matcher(line);
            if (matcher.matches()) {
                Session session = sessions.computeIfAbsent(matcher.group(1), Session::new);
                session.line(Long.parseLong(matcher.group(2)), matcher.group(3), matcher.group(4))
                        .ifPresent(committed::add);
            }
        }
        return committed;
    }

    /** Logging as before: the server's settings reset, the pipe left to the server. */
    @Override
    public void close() {
        try {
            configure("alter system reset log_statement", "alter system reset log_line_prefix");
        } finally {
            try {
                output.close(); // wakes the reader: its read ends with AsynchronousCloseException
                reader.join(BOUND.toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The read end of the pipe the server logs to: its standard error, which every backend inherits, opened anew
     * through {@code /proc/<pid>/fd/2} of a backend of ours.
     */
    private static FileChannel openServerOutput(Pool pool) {
        if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
            throw new IllegalStateException("Reading PostgreSQL's statement log needs Linux (/proc)");
        }
        return pool.withConnection(connection -> connection.query("select pg_backend_pid()").execute()
                .map(rows -> {
                    Path stderr = Path.of("/proc", rows.iterator().next().getInteger(0).toString(), "fd", "2");
                    try {
                        return FileChannel.open(stderr, StandardOpenOption.READ);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read PostgreSQL's output at " + stderr, e);
                    }
                })).await().atMost(BOUND);
    }

    /** Splits the output into lines at '\n' bytes, so a character cut between two reads stays whole. */
    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        try {
            while (output.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        add(partial.toString(StandardCharsets.UTF_8));
                        partial.reset();
                    } else {
                        partial.write(b);
                    }
                }
                buffer.clear();
            }
        } catch (ClosedChannelException closed) {
            // close(): done
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void add(String line) {
        synchronized (lines) {
            if (line.startsWith("\t") && !lines.isEmpty()) {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + "\n" + line.substring(1));
            } else {
                lines.add(line);
            }
            changes++;
            lines.notifyAll();
        }
    }

    private void configure(String... statements) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String statement : statements) {
            chain = chain.call(() -> pool.query(statement).execute()); // ALTER SYSTEM: never inside a transaction
        }
        chain.call(() -> pool.query("select pg_reload_conf()").execute()).await().atMost(BOUND);
    }

    /**
     * Holds {@code poolSize} connections at once (so every connection the service may use is among them) and asks
     * each for its setting until it has the new one: a backend applies a reload when it next reads a command.
     */
    private void awaitEveryConnection(int poolSize) {
        List<Uni<SqlConnection>> connections = new ArrayList<>();
        for (int i = 0; i < poolSize; i++) {
            connections.add(pool.getConnection());
        }
        List<SqlConnection> held = Uni.join().all(connections).andFailFast().await().atMost(BOUND);
        try {
            long deadline = System.nanoTime() + BOUND.toNanos();
            for (SqlConnection connection : held) {
                while (!"all".equals(connection.query("show log_statement").execute().await().atMost(BOUND)
                        .iterator().next().getString(0))) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("a connection did not take log_statement = all within " + BOUND);
                    }
                }
            }
        } finally {
            held.forEach(connection -> connection.close().await().atMost(BOUND));
        }
    }

    /** One session's lines, in order: its open transaction and whether a line went missing since its BEGIN. */
    private static final class Session {
        private final String id;
        private long lastLine = -1;
        private List<Statement> open;
        private boolean broken;

        Session(String id) {
            this.id = id;
        }

        /** Takes the next line of this session; returns the transaction it committed, if it did. */
        Optional<Transaction> line(long number, String level, String text) {
            if (lastLine >= 0 && number != lastLine + 1) {
                broken = true;
            }
            lastLine = number;
            if (open == null && !level.equals("LOG")) {
                return Optional.empty();
            }
            try {
                return level.equals("DETAIL") ? detail(text) : log(text);
            } catch (RuntimeException unparsable) { // a line cut or mixed with another session's
                broken = true;
                return Optional.empty();
            }
        }

        private Optional<Transaction> detail(String text) {
            Matcher parameters = PARAMETERS.matcher(text);
            if (parameters.matches() && !open.isEmpty()) {
                Statement last = open.removeLast();
                open.add(new Statement(last.sql(), parse(parameters.group(1))));
            }
            return Optional.empty();
        }

        private Optional<Transaction> log(String text) {
            Matcher statement = STATEMENT.matcher(text);
            if (!statement.matches()) {
                return Optional.empty();
            }
            String sql = statement.group(1);
            switch (sql.strip().toUpperCase(Locale.ROOT)) {
                case "BEGIN" -> {
                    open = new ArrayList<>();
                    broken = false;
                }
                case "COMMIT" -> {
                    if (open != null) {
                        Transaction committed = new Transaction(id, List.copyOf(open), !broken);
                        open = null;
                        return Optional.of(committed);
                    }
                }
                case "ROLLBACK" -> open = null;
                default -> {
                    if (open != null) {
                        open.add(new Statement(sql, List.of()));
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** {@code $1 = 'a', $2 = NULL, ...}: the values as text (quotes undoubled), NULL as null. */
    static List<String> parse(String parameters) {
        List<String> values = new ArrayList<>();
        int i = 0;
        while (i < parameters.length()) {
            int equals = parameters.indexOf(" = ", i);
            if (parameters.charAt(i) != '$' || equals < 0) {
                throw new IllegalArgumentException("not a parameter list at " + i + ": " + parameters);
            }
            i = equals + 3;
            if (parameters.startsWith("NULL", i)) {
                values.add(null);
                i += 4;
            } else {
                if (parameters.charAt(i) != '\'') {
                    throw new IllegalArgumentException("not a quoted value at " + i + ": " + parameters);
                }
                StringBuilder value = new StringBuilder();
                for (i++;; i++) {
                    char c = parameters.charAt(i);
                    if (c == '\'' && i + 1 < parameters.length() && parameters.charAt(i + 1) == '\'') {
                        value.append('\'');
                        i++;
                    } else if (c == '\'') {
                        i++;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                values.add(value.toString());
            }
            if (parameters.startsWith(", ", i)) {
                i += 2;
            } else if (i < parameters.length()) {
                throw new IllegalArgumentException("no separator at " + i + ": " + parameters);
            }
        }
        return values;
    }
}
