package dev.appliancesync.identity.dev;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jboss.logging.Logger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.appliancesync.embedded.EmbeddedServer;

/**
 * A local stand-in for a Cognito user pool's public endpoints: the OpenID discovery document and the JWKS.
 * quarkus-oidc discovers and verifies keys here exactly as it does against Cognito, so dev and test tokens go through
 * the production validation path. It runs on its own small server because OIDC initialises before the
 * application's HTTP server accepts connections.
 */
public final class DevIssuerServer implements EmbeddedServer {

    private static final Logger LOG = Logger.getLogger(DevIssuerServer.class);
    /** Plays the Cognito app client id: access tokens carry it as {@code client_id}. */
    public static final String CLIENT_ID = "appliance-sync-dev";
    /** Plays the user pool id in the issuer URL, as in https://cognito-idp.{region}.amazonaws.com/{poolId}. */
    private static final String POOL_ID = "local_devpool";

    private final HttpServer server;
    private final String issuer;
    private final Path keyFile;
    /** Set when the key is throw-away: removed on stop. */
    private final Path temporaryKeyDirectory;

    private DevIssuerServer(HttpServer server, String issuer, Path keyFile, Path temporaryKeyDirectory) {
        this.server = server;
        this.issuer = issuer;
        this.keyFile = keyFile;
        this.temporaryKeyDirectory = temporaryKeyDirectory;
    }

    /**
     * @param preferredPort the port to use when free, 0 for any free port
     * @param keyFile where the signing key is kept, or null for a throw-away key
     */
    public static DevIssuerServer start(int preferredPort, Path keyFile) {
        try {
            Path temporaryDirectory = keyFile == null ? Files.createTempDirectory("appliance-sync-dev-issuer-") : null;
            Path file = keyFile != null ? keyFile : temporaryDirectory.resolve("signing-key.pem");
            DevSigningKey key = DevSigningKey.loadOrCreate(file);
            HttpServer server = bind(preferredPort);
            String issuer = "http://localhost:" + server.getAddress().getPort() + "/" + POOL_ID;
            String discovery = """
                    {"issuer":"%1$s","jwks_uri":"%1$s/.well-known/jwks.json","token_endpoint":"%1$s/oauth2/token",\
                    "response_types_supported":["code","token"],"subject_types_supported":["public"],\
                    "id_token_signing_alg_values_supported":["RS256"]}""".formatted(issuer);
            server.createContext("/" + POOL_ID + "/.well-known/openid-configuration",
                    exchange -> respond(exchange, discovery));
            server.createContext("/" + POOL_ID + "/.well-known/jwks.json",
                    exchange -> respond(exchange, key.jwksJson()));
            server.start();
            LOG.infof("Local token issuer started: %s (get a token with POST /dev/token)", issuer);
            return new DevIssuerServer(server, issuer, file, temporaryDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Local token issuer did not start", e);
        }
    }

    private static HttpServer bind(int preferredPort) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        if (preferredPort > 0) {
            try {
                return HttpServer.create(new InetSocketAddress(loopback, preferredPort), 16);
            } catch (IOException taken) {
                LOG.infof("Port %d is taken, the local token issuer uses a free port", preferredPort);
            }
        }
        return HttpServer.create(new InetSocketAddress(loopback, 0), 16);
    }

    private static void respond(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public String issuer() {
        return issuer;
    }

    public Path keyFile() {
        return keyFile;
    }

    @Override
    public String name() {
        return "token issuer";
    }

    @Override
    public void stop() {
        server.stop(0);
        if (temporaryKeyDirectory != null) {
            try {
                Files.deleteIfExists(keyFile);
                Files.deleteIfExists(temporaryKeyDirectory);
            } catch (IOException e) {
                LOG.debugf(e, "Could not remove the throw-away key %s", keyFile);
            }
        }
        LOG.infof("Local token issuer %s stopped", issuer);
    }
}
