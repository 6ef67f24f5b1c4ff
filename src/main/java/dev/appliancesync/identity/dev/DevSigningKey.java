package dev.appliancesync.identity.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The RSA key the local issuer signs dev tokens with. Kept in a PEM file so dev tokens survive a restart;
 * generated on first use. Never used outside dev mode and tests.
 */
public record DevSigningKey(RSAPrivateCrtKey privateKey, RSAPublicKey publicKey, String keyId) {

    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    public static DevSigningKey loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return fromPkcs8(Base64.getMimeDecoder().decode(Files.readString(file)
                        .replace(PEM_BEGIN, "").replace(PEM_END, "").strip()));
            }
            DevSigningKey key = generate();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, PEM_BEGIN + "\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(key.privateKey.getEncoded())
                    + "\n" + PEM_END + "\n");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the dev signing key " + file, e);
        }
    }

    public static DevSigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return fromPkcs8(generator.generateKeyPair().getPrivate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    private static DevSigningKey fromPkcs8(byte[] pkcs8) {
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            RSAPublicKey publicKey = (RSAPublicKey) factory.generatePublic(
                    new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
            byte[] thumbprint = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            return new DevSigningKey(privateKey, publicKey, base64Url(thumbprint).substring(0, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Not an RSA private key", e);
        }
    }

    /** The public half as a JSON Web Key Set, the way Cognito publishes its keys. */
    public String jwksJson() {
        return """
                {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"%s","n":"%s","e":"%s"}]}"""
                .formatted(keyId, unsigned(publicKey.getModulus()), unsigned(publicKey.getPublicExponent()));
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return base64Url(bytes);
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
