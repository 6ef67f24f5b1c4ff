package dev.appliancesync.cloud.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A policy document kept with {@code {{partition}}}, {@code {{region}}} and {@code {{accountId}}} where a deployment's
 * values go: the identity pool's role policy and the shipped device policy (deploy/aws), which the CloudFormation
 * template states with its own pseudo parameters (DeployFilesTest compares them).
 */
public final class PolicyTemplate {

    private PolicyTemplate() {
    }

    /** The template with this deployment's partition, region and account filled in. */
    public static String render(String template, PolicyTarget target, String what) {
        String document = template.replace("{{partition}}", target.partition()).replace("{{region}}", target.region())
                .replace("{{accountId}}", target.accountId());
        if (document.contains("{{")) {
            throw new IllegalStateException(what + " has a placeholder nobody fills in");
        }
        return document;
    }

    static String resource(String name) {
        try (InputStream in = PolicyTemplate.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
