package dev.appliancesync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * deploy/aws against AWS's CloudFormation resource specification, by src/test/node/cloudformation-schema.mjs (resource
 * types, property names down to nested types, required properties, allowed values, GetAtt attributes). An IT because
 * its npm package is installed by the build's pre-integration-test ({@code npm ci}), like NodeClientsIT's. DeployFilesTest
 * checks what the template means; this checks that CloudFormation would take it.
 */
class CloudFormationSchemaIT {

    private static final Path NODE_PROJECT = Path.of("src", "test", "node");
    private static final Path CHECKER = Path.of("cloudformation-schema.mjs");

    @Test
    void templateMatchesTheResourceSpecification() throws Exception {
        Result result = check(DeployFiles.CLOUDFORMATION.toAbsolutePath());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("resources checked").contains(", 0 problems");
    }

    /** The checker itself: a template with a misspelt property and a GetAtt of no attribute must fail it. */
    @Test
    void aBrokenTemplateFails() throws Exception {
        String template = DeployFiles.read(DeployFiles.CLOUDFORMATION);
        String broken = template.replace("ServerSideTokenCheck: true", "ServerSideTokenChecks: true")
                .replace("!GetAtt UserPool.Arn", "!GetAtt UserPool.Arm");
        assertThat(broken).isNotEqualTo(template);
        Path file = Path.of("target", "broken.cfn.yaml").toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, broken, StandardCharsets.UTF_8);
        Result result = check(file);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("unknown property ServerSideTokenChecks")
                .contains("GetAtt UserPool.Arm: no such attribute of AWS::Cognito::UserPool");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result check(Path template) throws IOException, InterruptedException {
        assertThat(NODE_PROJECT.resolve("node_modules")).as("npm ci in %s (the build's pre-integration-test does it)",
                NODE_PROJECT).isDirectory();
        Process node = new ProcessBuilder("node", CHECKER.toString(), template.toString())
                .directory(NODE_PROJECT.toFile()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished: %s", output).isTrue();
        return new Result(node.exitValue(), output);
    }
}
