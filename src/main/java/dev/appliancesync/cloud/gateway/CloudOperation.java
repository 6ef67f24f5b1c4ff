package dev.appliancesync.cloud.gateway;

/** The AWS API operations we call: one rate limit each, and the unit in which a converge's calls are counted. */
public enum CloudOperation {
    LIST_ATTACHED_POLICIES(Service.IOT, "ListAttachedPolicies", false),
    GET_POLICY(Service.IOT, "GetPolicy", false),
    LIST_POLICY_VERSIONS(Service.IOT, "ListPolicyVersions", false),
    CREATE_POLICY(Service.IOT, "CreatePolicy", true),
    CREATE_POLICY_VERSION(Service.IOT, "CreatePolicyVersion", true),
    DELETE_POLICY_VERSION(Service.IOT, "DeletePolicyVersion", true),
    DELETE_POLICY(Service.IOT, "DeletePolicy", true),
    ATTACH_POLICY(Service.IOT, "AttachPolicy", true),
    DETACH_POLICY(Service.IOT, "DetachPolicy", true),
    ADMIN_GET_USER(Service.USER_POOL, "AdminGetUser", false),
    ADMIN_UPDATE_USER_ATTRIBUTES(Service.USER_POOL, "AdminUpdateUserAttributes", true),
    /** Creates the user's identity the first time, so a write. */
    GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY(Service.IDENTITY_POOL, "GetOpenIdTokenForDeveloperIdentity", true);

    /** The AWS service an operation belongs to, by its IAM prefix (also its SigV4 signing name). */
    public enum Service {
        IOT("iot"),
        USER_POOL("cognito-idp"),
        IDENTITY_POOL("cognito-identity");

        private final String iamPrefix;

        Service(String iamPrefix) {
            this.iamPrefix = iamPrefix;
        }

        public String iamPrefix() {
            return iamPrefix;
        }
    }

    private final Service service;
    private final String awsName;
    private final boolean write;

    CloudOperation(Service service, String awsName, boolean write) {
        this.service = service;
        this.awsName = awsName;
        this.write = write;
    }

    public Service service() {
        return service;
    }

    /** The IAM action that allows it, e.g. iot:AttachPolicy. */
    public String iamAction() {
        return service.iamPrefix() + ":" + awsName;
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
