package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.realtime.websocket.CloseCodes;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * graphql-transport-ws as its specification says, through a raw WebSocket: every message a client may not send closes
 * its connection with the protocol's code and a reason that fits a close frame (at most 123 bytes), and the service
 * goes on serving everyone else. The legacy protocol (graphql-ws) gets a connection_error first, then the same close.
 */
@QuarkusTest
class ProtocolEdgesTest {

    /** quarkus.http.websocket-server.max-message-size. */
    private static final int MAX_MESSAGE_BYTES = 65536;
    private static final String QUERY = "{ __typename }";

    @TestHTTPResource("/graphql")
    URI graphql;

    private final List<GraphQLWebSocket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        sockets.forEach(GraphQLWebSocket::close);
    }

    @Test
    void anUnknownMessageTypeCloses4400() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.send(new JsonObject().put("type", "foo"));
        assertClosed(ws, CloseCodes.BAD_REQUEST);
    }

    @Test
    void aMessageWithoutATypeCloses4400() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.send(new JsonObject().put("id", "x"));
        assertClosed(ws, CloseCodes.BAD_REQUEST);
    }

    @Test
    void aSubscribeWhosePayloadIsAStringCloses4400() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.send(new JsonObject().put("id", "1").put("type", "subscribe").put("payload", QUERY));
        assertClosed(ws, CloseCodes.BAD_REQUEST);
    }

    @Test
    void aMessageTheServerSendsIsNotOneAClientMaySend() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.send(new JsonObject().put("id", "1").put("type", "next").put("payload", new JsonObject()));
        assertClosed(ws, CloseCodes.BAD_REQUEST);
    }

    @Test
    void aJsonArrayCloses4400WithAReasonThatFitsTheCloseFrame() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.sendText("[1,2,3]");
        assertThat(assertClosed(ws, CloseCodes.BAD_REQUEST)).isEqualTo("Message must be a JSON object");
    }

    @Test
    void textThatIsNotJsonCloses4400WithoutTheParsersInternals() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.sendText("hello {");
        assertThat(assertClosed(ws, CloseCodes.BAD_REQUEST)).isEqualTo("Message is not valid JSON")
                .doesNotContain("line no", "char");
    }

    @Test
    void aSecondConnectionInitCloses4429() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.send(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("Authorization", "Bearer " + token())));
        assertThat(assertClosed(ws, CloseCodes.TOO_MANY_INITIALISATION_REQUESTS))
                .isEqualTo("Too many initialisation requests");
    }

    @Test
    void aConnectionInitWithANullPayloadIsAcknowledged() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_TRANSPORT_WS, token());
        ws.sendText("{\"type\":\"connection_init\",\"payload\":null}");
        assertThat(ws.nextMessage().getString("type")).isEqualTo("connection_ack");
        assertServes(ws, "1");
    }

    @Test
    void aSubscribeWithAnIdInUseCloses4409WithAClampedReason() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        String id = "ü".repeat(100); // 200 bytes: the protocol's reason names the id
        ws.subscribe(id, "subscription { changes { cursor } }");
        ws.subscribe(id, "subscription { changes { cursor } }");
        assertClosed(ws, (short) 4409);
    }

    @Test
    void aSubscribeBeforeTheAckCloses4401() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_TRANSPORT_WS, token());
        ws.subscribe("1", "subscription {");
        assertClosed(ws, (short) 4401);
    }

    @Test
    void aDocumentThatDoesNotParseGetsAnErrorWithGraphqlParseFailedAndTheConnectionStays() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.subscribe("bad", "subscription { changes {");
        JsonObject error = ws.nextMessage("bad");
        assertThat(error.getString("type")).isEqualTo("error");
        JsonArray errors = error.getJsonArray("payload");
        assertThat(errors).hasSize(1);
        assertThat(errors.getJsonObject(0).getJsonObject("extensions").getString("code"))
                .isEqualTo("GRAPHQL_PARSE_FAILED");
        assertThat(errors.getJsonObject(0).getJsonArray("locations")).isNotEmpty();
        // The id is free again, and the connection goes on.
        assertServes(ws, "bad");
    }

    @Test
    void aMessageOverTheLimitInOneFrameCloses1009() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.sendSingleFrame(pingOfSize(MAX_MESSAGE_BYTES + 1));
        assertThat(assertClosed(ws, CloseCodes.MESSAGE_TOO_BIG)).isEqualTo("Message over 65536 bytes");
    }

    @Test
    void aMessageOverTheLimitInFragmentsCloses1009() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.sendFragmented(pingOfSize(MAX_MESSAGE_BYTES + 1), 4);
        assertThat(assertClosed(ws, CloseCodes.MESSAGE_TOO_BIG)).isEqualTo("Message over 65536 bytes");
    }

    @Test
    void aMessageAtTheLimitInFragmentsIsServed() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.sendFragmented(pingOfSize(MAX_MESSAGE_BYTES), 3);
        assertThat(ws.ping()).isTrue();
        assertThat(ws.closed()).isNotDone();
    }

    @Test
    void aBinaryMessageCloses4400() throws Exception {
        GraphQLWebSocket ws = acknowledged();
        ws.sendBinary(new JsonObject().put("type", "ping").encode().getBytes(StandardCharsets.UTF_8));
        assertClosed(ws, CloseCodes.BAD_REQUEST);
    }

    @Test
    void theLegacyProtocolGetsAConnectionErrorThenTheSameClose() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_WS, token());
        assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
        ws.send(new JsonObject().put("id", "1").put("type", "start").put("payload", "{ __typename }"));
        JsonObject error = ws.nextMessage();
        assertThat(error.getString("type")).isEqualTo("connection_error");
        String reason = assertClosed(ws, CloseCodes.BAD_REQUEST);
        assertThat(error.getJsonObject("payload").getString("message")).isEqualTo(reason);
    }

    @Test
    void theLegacyProtocolGetsGraphqlParseFailedForADocumentThatDoesNotParse() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_WS, token());
        assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
        ws.subscribe("bad", "{");
        JsonObject error = ws.nextMessage("bad");
        assertThat(error.getString("type")).isEqualTo("error");
        assertThat(error.getJsonObject("payload").getJsonObject("extensions").getString("code"))
                .isEqualTo("GRAPHQL_PARSE_FAILED");
    }

    @Test
    void theLegacyConnectionTerminateClosesNormally() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_WS, token());
        assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
        ws.send(new JsonObject().put("type", "connection_terminate"));
        assertClosed(ws, CloseCodes.NORMAL);
    }

    /** A graphql-transport-ws ping whose JSON text is exactly {@code bytes} long (ASCII). */
    private static String pingOfSize(int bytes) {
        String head = "{\"type\":\"ping\",\"payload\":{\"pad\":\"";
        String tail = "\"}}";
        return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
    }

    private GraphQLWebSocket acknowledged() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_TRANSPORT_WS, token());
        assertThat(ws.init(Map.of()).getString("type")).isEqualTo("connection_ack");
        return ws;
    }

    private GraphQLWebSocket open(Protocol protocol, String token) throws Exception {
        GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, token);
        sockets.add(ws);
        return ws;
    }

    private static String token() {
        return Tokens.forUser(Tokens.uniqueUsername("edges"));
    }

    /**
     * The connection closes with {@code code} and a reason a close frame can carry; another connection is still
     * served. Returns the reason.
     */
    private String assertClosed(GraphQLWebSocket ws, short code) throws Exception {
        assertThat(ws.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(code);
        String reason = ws.closeReason() == null ? "" : ws.closeReason();
        assertThat(reason.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        assertServes(acknowledged(), "after");
        return reason;
    }

    private static void assertServes(GraphQLWebSocket ws, String id) throws InterruptedException {
        ws.subscribe(id, QUERY);
        assertThat(ws.nextData(id).getString("__typename")).isEqualTo("Query");
        assertThat(ws.nextMessage(id).getString("type")).isEqualTo("complete");
    }
}
