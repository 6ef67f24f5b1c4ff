package dev.appliancesync.common.graphql;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A GraphQL document's SHA-256, as four longs: a key of fixed size, however large the document. */
record DocumentDigest(long first, long second, long third, long fourth) {

    static final int BYTES = 4 * Long.BYTES;

    static DocumentDigest of(String document) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(document.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
        ByteBuffer words = ByteBuffer.wrap(hash);
        return new DocumentDigest(words.getLong(), words.getLong(), words.getLong(), words.getLong());
    }
}
