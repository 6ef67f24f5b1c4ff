package dev.appliancesync.cloud.gateway;

/** The AWS API operations we call: one rate limit each, and the unit in which a converge's calls are counted. */
public enum CloudOperation {
    LIST_ATTACHED_POLICIES("ListAttachedPolicies", false),
    GET_POLICY("GetPolicy", false),
    LIST_POLICY_VERSIONS("ListPolicyVersions", false),
    CREATE_POLICY("CreatePolicy", true),
    CREATE_POLICY_VERSION("CreatePolicyVersion", true),
    DELETE_POLICY_VERSION("DeletePolicyVersion", true),
    DELETE_POLICY("DeletePolicy", true),
    ATTACH_POLICY("AttachPolicy", true),
    DETACH_POLICY("DetachPolicy", true),
    ADMIN_GET_USER("AdminGetUser", false),
    ADMIN_UPDATE_USER_ATTRIBUTES("AdminUpdateUserAttributes", true);

    private final String awsName;
    private final boolean write;

    CloudOperation(String awsName, boolean write) {
        this.awsName = awsName;
        this.write = write;
    }

    /** The operation's name in the AWS API (and in Cognito's X-Amz-Target). */
    public String awsName() {
        return awsName;
    }

    /** Whether it changes anything in AWS. */
    public boolean isWrite() {
        return write;
    }
}
