package dev.appliancesync.appliance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/** Claim codes are stored hashed (SHA-256 of the trimmed code) and compared in constant time. */
final class ClaimCodes {

    /** What an unknown serial number's claim code is compared with: the hash of a code nobody was ever given. */
    static final String NOBODYS_CODE_HASH = hash(UUID.randomUUID().toString());

    private ClaimCodes() {
    }

    static String hash(String claimCode) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(claimCode.strip().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean sameHash(String expected, String offered) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                offered.getBytes(StandardCharsets.US_ASCII));
    }
}
