package dev.appliancesync.embedded;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.AppSyncSocket;
import dev.appliancesync.support.AppSyncSocket.Handshake;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * Tests (and dev mode) also serve HTTPS on a port of their own with a self-signed certificate made on first start, so
 * an AWS Amplify app (https and wss only) can point at a laptop; a client that trusts that certificate gets in.
 */
@QuarkusTest
class DevHttpsTest {

    @ConfigProperty(name = EmbeddedServicesConfigFactory.TLS_CERTIFICATE)
    String certificate;

    @ConfigProperty(name = "quarkus.tls.https.key-store.p12.path")
    String keyStore;

    @TestHTTPResource(value = "/graphql", tls = true)
    URI https;

    @TestHTTPResource("/graphql")
    URI http;

    @Test
    void theCertificateIsKeptWithTheDevDataAndServesHttpsOnItsOwnPort() throws Exception {
        assertThat(Files.readString(Path.of(certificate), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Path.of(certificate).getParent()).isEqualTo(Path.of("target/dev-tls").toAbsolutePath());
        assertThat(https.getScheme()).isEqualTo("https");
        assertThat(https.getPort()).isPositive().isNotEqualTo(http.getPort());

        String username = Tokens.uniqueUsername("laptop");
        String token = Tokens.forUser(username);
        given().trustStore(keyStore, DevCertificate.PASSWORD).baseUri("https://localhost").port(https.getPort())
                .contentType(ContentType.JSON).header("Authorization", token)
                .body(Map.of("query", "{ me { username } }"))
                .when().post("/graphql")
                .then().statusCode(200).body("data.me.username", equalTo(username));
    }

    @Test
    void theAppSyncRealtimeEndpointAnswersOverWssForAClientThatTrustsTheCertificate() throws Exception {
        String token = Tokens.forUser(Tokens.uniqueUsername("wss"));
        WebSocketClientOptions tls = new WebSocketClientOptions().setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(certificate));
        try (AppSyncSocket ws = AppSyncSocket.open(https,
                Handshake.SUBPROTOCOL, token, tls)) {
            assertThat(ws.init().getString("type")).isEqualTo("connection_ack");
        }
    }
}
