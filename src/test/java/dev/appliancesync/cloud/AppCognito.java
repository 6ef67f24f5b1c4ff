package dev.appliancesync.cloud;

import java.util.Map;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentity.CognitoIdentityClient;
import software.amazon.awssdk.services.cognitoidentity.model.GetCredentialsForIdentityResponse;

/**
 * An app's side of credential vending, through the real SDK: GetCredentialsForIdentity with the identity and token
 * the service handed it, as {@code Logins {"cognito-identity.amazonaws.com": token}}, and no AWS credentials of its
 * own (the call is unsigned; the token is the proof).
 */
public final class AppCognito implements AutoCloseable {

    private final CognitoIdentityClient client;

    public AppCognito(FakeAws aws, String region) {
        client = CognitoIdentityClient.builder().region(Region.of(region))
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).endpointOverride(aws.endpoint()).build();
    }

    /** The credentials Cognito gives for {@code identityId} to whoever holds {@code token}; throws what it answers. */
    public GetCredentialsForIdentityResponse credentials(String identityId, String token) throws SdkException {
        return client.getCredentialsForIdentity(r -> r.identityId(identityId)
                .logins(Map.of(FakeAws.COGNITO_LOGIN, token)));
    }

    @Override
    public void close() {
        client.close();
    }
}
