package dev.appliancesync.realtime.appsync;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The headers an AppSync client sends with the upgrade: base64url JSON in a {@code header-} subprotocol next to
 * graphql-ws (Amplify v6), or base64 JSON in the {@code header} query parameter (older clients, with
 * {@code payload=e30=}). Only its {@code Authorization} matters here; {@code host} names AppSync's endpoint.
 */
record AppSyncHandshake(String authorization) {

    static final String HEADER_SUBPROTOCOL_PREFIX = "header-";

    static AppSyncHandshake of(HttpServerRequest upgrade) {
        String protocols = upgrade.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String protocol : protocols.split(",")) {
                String offered = protocol.trim();
                if (offered.startsWith(HEADER_SUBPROTOCOL_PREFIX)) {
                    return decode(offered.substring(HEADER_SUBPROTOCOL_PREFIX.length()));
                }
            }
        }
        String query = upgrade.getParam("header");
        // A '+' of standard base64 not percent-encoded reaches us as a space (form decoding): put it back.
        return query == null ? new AppSyncHandshake(null) : decode(query.replace(' ', '+'));
    }

    /** Either alphabet, padded or not: the two handshakes differ there, and clients are loose about it. */
    private static AppSyncHandshake decode(String encoded) {
        String base64url = encoded.replace('+', '-').replace('/', '_').replace("=", "");
        try {
            JsonObject headers = new JsonObject(new String(Base64.getUrlDecoder().decode(base64url),
                    StandardCharsets.UTF_8));
            return new AppSyncHandshake(authorizationOf(headers));
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            return new AppSyncHandshake(null);
        }
    }

    /** The Authorization value of a header map (any capitalisation), or null. */
    static String authorizationOf(JsonObject headers) {
        if (headers == null) {
            return null;
        }
        for (String name : headers.fieldNames()) {
            if ("authorization".equalsIgnoreCase(name) && headers.getValue(name) instanceof String value) {
                return value;
            }
        }
        return null;
    }
}
