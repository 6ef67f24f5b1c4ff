package dev.appliancesync.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with {@code openssl} (PEM files in a directory under {@code target}), for
 * mutual TLS between test MQTT clients and a broker: certificates valid for two days, RSA 2048 keys.
 * <p>
 * Keys are written world-readable: mosquitto, started as root, drops to user {@code mosquitto} before it reads them.
 */
public final class TestPki {

    /** Debian's path; {@code -Dappliance-sync.it.openssl=...} names another. */
    public static final Path OPENSSL = Path.of(System.getProperty("appliance-sync.it.openssl", "/usr/bin/openssl"));
    private static final long COMMAND_WAIT_SECONDS = 30;

    private final Path directory;
    private final Path caCertificate;
    private final Path caKey;

    /** A certificate and its private key, both PEM. */
    public record KeyPair(Path certificate, Path privateKey) {
    }

    private TestPki(Path directory, String name) {
        this.directory = directory;
        this.caCertificate = directory.resolve(name + "-ca.pem");
        this.caKey = directory.resolve(name + "-ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=appliance-sync test " + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", caKey.toString(), "-out", caCertificate.toString());
        readable(caKey);
    }

    /** A new CA in {@code directory} (created, files named after {@code name}). */
    public static TestPki create(Path directory, String name) {
        if (!Files.isExecutable(OPENSSL)) {
            throw new IllegalStateException("openssl is not installed (no " + OPENSSL + ")");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestPki(directory, name);
    }

    /** The CA's certificate: what a peer trusts. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** A server certificate for {@code dnsName} (its subjectAltName; serverAuth), signed by this CA; PKCS#8 key. */
    public KeyPair server(String name, String dnsName) {
        return issue(name, dnsName, "subjectAltName=DNS:" + dnsName + "\nextendedKeyUsage=serverAuth\n");
    }

    /** A server certificate for an IP address (its subjectAltName; serverAuth), signed by this CA; PKCS#8 key. */
    public KeyPair serverForAddress(String name, String ipAddress) {
        return issue(name, ipAddress, "subjectAltName=IP:" + ipAddress + "\nextendedKeyUsage=serverAuth\n");
    }

    /** A client certificate (clientAuth) with common name {@code commonName}, signed by this CA; PKCS#8 key. */
    public KeyPair client(String name, String commonName) {
        return issue(name, commonName, "extendedKeyUsage=clientAuth\n");
    }

    /** The same key rewritten as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), the format IoT Core hands out. */
    public Path pkcs1(Path pkcs8Key) {
        Path pkcs1 = pkcs8Key.resolveSibling(pkcs8Key.getFileName().toString().replace(".key", "") + "-pkcs1.key");
        openssl("rsa", "-in", pkcs8Key.toString(), "-traditional", "-out", pkcs1.toString());
        readable(pkcs1);
        return pkcs1;
    }

    private KeyPair issue(String name, String commonName, String extensions) {
        Path key = directory.resolve(name + ".key");
        Path request = directory.resolve(name + ".csr");
        Path certificate = directory.resolve(name + ".pem");
        Path extensionFile = directory.resolve(name + ".ext");
        try {
            Files.writeString(extensionFile, extensions, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + commonName, "-keyout", key.toString(),
                "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", extensionFile.toString(), "-out", certificate.toString());
        readable(key);
        return new KeyPair(certificate, key);
    }

    private static void readable(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs openssl, its output appended to {@code openssl.log} in the directory; fails if it does not succeed. */
    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL.toString());
        command.addAll(List.of(arguments));
        Path log = directory.resolve("openssl.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("openssl did not finish within " + COMMAND_WAIT_SECONDS + "s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("openssl failed (" + process.exitValue() + "): " + command + "; see "
                        + log.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted running " + command, e);
        }
    }
}
