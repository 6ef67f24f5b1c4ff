package dev.appliancesync.cloud.policy;

/** Where the policies live: e.g. {@code "us-east-1", "123456789012", "appliance-sync-"}. */
public record PolicyTarget(String region, String accountId, String policyNamePrefix) {

    public PolicyTarget {
        CloudNames.require(CloudNames.REGION, region, "region");
        CloudNames.require(CloudNames.ACCOUNT_ID, accountId, "account id");
        CloudNames.require(CloudNames.POLICY_NAME_PREFIX, policyNamePrefix, "policy name prefix");
    }

    /** The ARN partition the region belongs to (China and GovCloud regions have their own). */
    public String partition() {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    }

    /** {@code arn:<partition>:iot:<region>:<account>:<resource>}. */
    public String iotArn(String resource) {
        return "arn:" + partition() + ":iot:" + region + ":" + accountId + ":" + resource;
    }
}
