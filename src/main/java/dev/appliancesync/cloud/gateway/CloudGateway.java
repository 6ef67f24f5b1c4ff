package dev.appliancesync.cloud.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cloud's access gates, one AWS API operation per method: IoT Core policies (with versions) and their attachment
 * to a target (a Cognito identity id), a Cognito user's attributes, and the identity pool's identity of a user. Blocking: call it from a worker thread, never
 * the event loop. Every failure is a {@link CloudCallException}: rejected (with AWS's code) or unavailable (after the
 * gateway's own retries).
 */
public interface CloudGateway {

    /** ListAttachedPolicies, every page: the names of the policies attached to {@code target}. */
    Set<String> attachedPolicies(String target);

    /** GetPolicy: the policy's default version, or empty when there is no such policy. */
    Optional<PolicyState> policy(String name);

    /** ListPolicyVersions: every version of the policy; rejected with ResourceNotFoundException when there is none. */
    List<PolicyVersion> policyVersions(String name);

    /** CreatePolicy: the policy with {@code document} as version 1, its default. */
    void createPolicy(String name, String document);

    /** CreatePolicyVersion with setAsDefault: the new version's id. */
    String createDefaultVersion(String name, String document);

    /** DeletePolicyVersion: a version that is not the default. */
    void deletePolicyVersion(String name, String versionId);

    /** DeletePolicy: a policy with no other version than its default and attached to nothing. */
    void deletePolicy(String name);

    /** AttachPolicy: attaching an attached policy again changes nothing. */
    void attachPolicy(String name, String target);

    /** DetachPolicy. */
    void detachPolicy(String name, String target);

    /** AdminGetUser: the user's attributes by name. */
    Map<String, String> userAttributes(String username);

    /** AdminUpdateUserAttributes: sets these attributes, leaves the others. */
    void updateUserAttributes(String username, Map<String, String> attributes);

    /**
     * GetOpenIdTokenForDeveloperIdentity: the identity of {@code login} (created the first time, the same one ever
     * after) and an OpenID token for it lasting {@code tokenDuration}, whose credentials' session carries
     * {@code principalTags}. Rejected with InvalidParameterException for a duration outside 1 second to 24 hours.
     */
    OpenIdToken openIdToken(DeveloperLogin login, Map<String, String> principalTags, Duration tokenDuration);
}
