package dev.appliancesync.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * A self-signed certificate for HTTPS in dev mode and tests, so that an AWS Amplify app (which only speaks https and
 * wss) can point at a laptop. Made with the JDK's own keytool on first start and kept in its directory (with the dev
 * data, so a phone that trusts it once keeps trusting it); a later start reuses it.
 */
final class DevCertificate {

    private static final Logger LOG = Logger.getLogger(DevCertificate.class);
    private static final String ALIAS = "appliance-sync";
    /** Guards nothing but a developer's own laptop certificate; the key store needs some password. */
    static final String PASSWORD = "appliance-sync-dev";
    /** Apple's ceiling for a server certificate an iPhone accepts. */
    private static final int VALIDITY_DAYS = 825;
    private static final long KEYTOOL_WAIT_SECONDS = 60;

    private final Path keyStore;
    private final Path certificate;

    private DevCertificate(Path directory) {
        this.keyStore = directory.resolve("appliance-sync.p12");
        this.certificate = directory.resolve("appliance-sync.pem");
    }

    /** The certificate in {@code directory}, made first if it is not there. */
    static DevCertificate inDirectory(Path directory) {
        DevCertificate made = new DevCertificate(directory);
        if (Files.isRegularFile(made.keyStore) && Files.isRegularFile(made.certificate)) {
            return made;
        }
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(made.keyStore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=appliance-sync dev", "-ext", "SAN=" + String.join(",", names()),
                "-validity", String.valueOf(VALIDITY_DAYS), "-keystore", made.keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", made.keyStore.toString(),
                "-storepass", PASSWORD, "-file", made.certificate.toString());
        LOG.infof("Made a self-signed certificate for HTTPS: %s (trust it on the devices that connect)",
                made.certificate.toAbsolutePath());
        return made;
    }

    /** PKCS#12 key store with the key and certificate. */
    Path keyStore() {
        return keyStore;
    }

    /** The certificate alone (PEM): what a client trusts, e.g. NODE_EXTRA_CA_CERTS. */
    Path certificate() {
        return certificate;
    }

    /** localhost and this machine's name and addresses: a phone on the same network reaches the laptop by those. */
    private static List<String> names() {
        Set<String> names = new LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:0:0:0:0:0:0:0:1"));
        try {
            InetAddress self = InetAddress.getLocalHost();
            names.add("dns:" + self.getHostName());
            if (!self.isLoopbackAddress()) {
                names.add("ip:" + self.getHostAddress());
            }
        } catch (UnknownHostException e) {
            // localhost only
        }
        return new ArrayList<>(names);
    }

    private static void keytool(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(KEYTOOL_WAIT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool failed making the dev HTTPS certificate: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run keytool (a JDK's, next to java)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while making the dev HTTPS certificate", e);
        }
    }
}
