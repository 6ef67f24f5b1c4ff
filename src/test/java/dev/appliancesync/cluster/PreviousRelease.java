package dev.appliancesync.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The previous release's packaged application, built from this repository's own history: the commit named in
 * {@code deploy/previous-release}, exported with {@code git archive} (no worktree, nothing to clean up in .git) into
 * {@code target/previous-release/<commit>} and packaged there without its tests. Built once; a later run reuses it.
 */
final class PreviousRelease {

    static final Path POINTER = Path.of("deploy/previous-release");
    private static final Duration BUILD_WAIT = Duration.ofMinutes(15);

    private PreviousRelease() {
    }

    /** The commit {@code deploy/previous-release} names. */
    static String commit() {
        try {
            return Files.readAllLines(POINTER).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(POINTER + " names no commit"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether this clone holds the commit. A shallow clone does not (CI must clone with the full history, e.g.
     * actions/checkout with fetch-depth: 0); the check is then skipped with that reason rather than failing on git.
     */
    static boolean inHistory() {
        try {
            Process process = new ProcessBuilder("git", "cat-file", "-e", commit() + "^{commit}")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(BUILD_WAIT.toMillis(), TimeUnit.MILLISECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Its {@code quarkus-run.jar}, built first if this machine has not built it yet. */
    static Path jar(Path targetDirectory) {
        String commit = commit();
        Path source = targetDirectory.resolve("previous-release").resolve(commit).toAbsolutePath();
        Path jar = source.resolve("target/quarkus-app/quarkus-run.jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        try {
            Files.createDirectories(source);
            Path archive = source.resolveSibling(commit + ".tar");
            // A shallow clone has no such commit: CI must fetch the full history (actions/checkout fetch-depth: 0).
            run(List.of("git", "archive", "--format=tar", "-o", archive.toString(), commit), Path.of("."),
                    source.resolveSibling(commit + "-archive.log"));
            run(List.of("tar", "-xf", archive.toString()), source, source.resolveSibling(commit + "-tar.log"));
            Files.delete(archive);
            List<String> build = new ArrayList<>(List.of(maven(source), "-B", "-q", "package",
                    "-Dmaven.test.skip=true"));
            if (Boolean.getBoolean("appliance-sync.it.offline")) {
                build.add("-o");
            }
            run(build, source, source.resolveSibling(commit + "-build.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The build of " + commit + " made no " + jar);
        }
        return jar;
    }

    /** The Maven running this build (failsafe passes maven.home), else the old tree's own wrapper. */
    private static String maven(Path source) {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return source.resolve("mvnw").toString();
    }

    private static void run(List<String> command, Path directory, Path log) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(BUILD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not end within " + BUILD_WAIT + "; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted: " + command, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed with " + process.exitValue() + "; see " + log + ":\n"
                    + String.join("\n", tail(Files.readAllLines(log))));
        }
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 40), lines.size());
    }
}
