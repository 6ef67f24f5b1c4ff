package dev.appliancesync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cluster.ServiceInstance;
import dev.appliancesync.cluster.SharedServices;

/**
 * The packaged application (target/quarkus-app, what the Dockerfile ships) holds no dev or test scaffolding: none of
 * the dev services' libraries in lib/, none of their classes, resources or migrations in the application, and nothing
 * there that names them, so no configuration can start them in production. Dev mode and the tests have all of it
 * (provided-scope libraries; classes the maven-jar-plugin leaves out of the jar that the production build reads).
 */
class ProductionClassPathIT {

    private static final Path APP = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"), "quarkus-app");
    /** Issue 18's bound: the embedded servers' binaries made lib/ 282 MB. */
    private static final long MAX_LIB_BYTES = 100L * 1024 * 1024;

    /** Libraries of the dev services (fast-jar names lib/main/<groupId>.<artifactId>-<version>.jar). */
    private static final List<String> DEV_LIBRARIES = List.of("io.zonky.", "com.hivemq.", "ch.qos.logback.",
            "org.rocksdb.", "org.jetbrains.xodus.");
    /** The dev services' own code: embedded servers and dev certificate, dev token issuer, local cloud gateway. */
    private static final List<String> DEV_PACKAGES = List.of("dev/appliancesync/embedded/",
            "dev/appliancesync/identity/dev/", "dev/appliancesync/cloud/local/");
    private static final String DEV_MIGRATIONS = "db/dev-migration/";

    @Test
    void libHoldsNoDevServiceLibraryAndStaysUnder100MB() throws IOException {
        List<Path> jars = files(APP.resolve("lib"));
        assertThat(jars).as("the packaged application's libraries").isNotEmpty();
        assertThat(jars.stream().map(jar -> jar.getFileName().toString()))
                .as("libraries of the embedded PostgreSQL and broker (zonky, HiveMQ and what it brings)")
                .noneMatch(name -> DEV_LIBRARIES.stream().anyMatch(name::startsWith));
        long bytes = 0;
        for (Path jar : jars) {
            bytes += Files.size(jar);
        }
        assertThat(bytes).as("lib/ in bytes").isLessThan(MAX_LIB_BYTES);
    }

    @Test
    void theApplicationHoldsAndNamesNoDevClassOrMigration() throws IOException {
        List<String> found = new ArrayList<>();
        int entries = 0;
        for (Path file : files(APP)) {
            if (file.startsWith(APP.resolve("lib"))) {
                continue;
            }
            if (file.toString().endsWith(".jar")) {
                try (ZipFile zip = new ZipFile(file.toFile())) {
                    for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements();) {
                        ZipEntry entry = all.nextElement();
                        entries++;
                        String where = APP.relativize(file) + "!/" + entry.getName();
                        if (isDev(entry.getName())) {
                            found.add(where);
                        } else if (isCodeOrIndex(entry.getName())) {
                            try (InputStream in = zip.getInputStream(entry)) {
                                namesDev(where, in.readAllBytes()).ifPresent(found::add);
                            }
                        }
                    }
                }
            } else {
                entries++;
                namesDev(APP.relativize(file).toString(), Files.readAllBytes(file)).ifPresent(found::add);
            }
        }
        assertThat(entries).as("files read in the packaged application").isGreaterThan(100);
        assertThat(found).as("dev services' classes, migrations or references to them in the production build")
                .isEmpty();
    }

    /** Not vacuous: the names checked above are where dev mode and the tests find the dev services. */
    @Test
    void theDevServicesAreWhereTheChecksLook() throws Exception {
        Path classes = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"), "classes");
        for (String devPackage : DEV_PACKAGES) {
            try (Stream<Path> inside = Files.list(classes.resolve(devPackage))) {
                assertThat(inside.anyMatch(f -> f.toString().endsWith(".class"))).as(devPackage).isTrue();
            }
        }
        try (Stream<Path> migrations = Files.list(classes.resolve(DEV_MIGRATIONS))) {
            assertThat(migrations.count()).as(DEV_MIGRATIONS).isPositive();
        }
        for (String library : List.of("io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
                "com.hivemq.embedded.EmbeddedHiveMQ")) {
            assertThat(Class.forName(library, false, getClass().getClassLoader())).isNotNull();
        }
    }

    /**
     * Configured for the dev services (embedded servers on, cloud mode local), the production build still has none:
     * it refuses to start rather than serve without its cloud sync.
     */
    @Test
    void theProductionBuildRefusesTheLocalCloudGatewayWhateverItIsConfigured() throws IOException {
        try (SharedServices services = SharedServices.start()) {
            Map<String, String> properties = new LinkedHashMap<>(services.serviceProperties());
            properties.put("appliance-sync.embedded.enabled", "true");
            properties.put("appliance-sync.cloud.mode", "local");
            ServiceInstance instance = ServiceInstance.create("dev-services-configured", properties);
            assertThat(instance.runToExit(Duration.ofMinutes(2))).as("exit code").isNotZero();
            assertThat(Files.readString(instance.logFile()))
                    .contains("appliance-sync.cloud.mode=local exists in dev mode and tests only");
        }
    }

    /** What could load a class by name: class files and service files (not, e.g., the pom Maven copies in). */
    private static boolean isCodeOrIndex(String entry) {
        return entry.endsWith(".class") || entry.startsWith("META-INF/services/");
    }

    private static boolean isDev(String entry) {
        return entry.startsWith(DEV_MIGRATIONS) || DEV_PACKAGES.stream().anyMatch(entry::startsWith);
    }

    /** A class file names another in its constant pool; generated code and indexes name classes too. */
    private static Optional<String> namesDev(String where, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        return Stream.concat(DEV_PACKAGES.stream(), DEV_PACKAGES.stream().map(p -> p.replace('/', '.')))
                .filter(text::contains).findFirst().map(name -> where + " names " + name);
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
