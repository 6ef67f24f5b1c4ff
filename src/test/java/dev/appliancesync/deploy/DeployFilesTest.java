package dev.appliancesync.deploy;

import static dev.appliancesync.deploy.DeployFiles.find;
import static dev.appliancesync.deploy.DeployFiles.list;
import static dev.appliancesync.deploy.DeployFiles.map;
import static dev.appliancesync.deploy.DeployFiles.object;
import static dev.appliancesync.deploy.DeployFiles.only;
import static dev.appliancesync.deploy.DeployFiles.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.policy.CloudGrants;
import dev.appliancesync.cloud.policy.CompiledPolicy;
import dev.appliancesync.cloud.policy.Decision;
import dev.appliancesync.cloud.policy.IdentityPoolRolePolicy;
import dev.appliancesync.cloud.policy.IotPolicyCompiler;
import dev.appliancesync.cloud.policy.IotPolicyEvaluator;
import dev.appliancesync.cloud.policy.PolicyTarget;
import dev.appliancesync.cloud.policy.PolicyTemplate;
import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.command.mqtt.DeviceTopicsConfig;
import io.smallrye.config.WithDefault;

/**
 * The deploy files (Dockerfiles, deploy/kubernetes, deploy/compose.yaml, deploy/aws) against the application they
 * deploy: every setting they pass is one the service reads at run time, every production setting docs/configuration.md documents
 * is passed or deliberately left at its default, probes and ports are the ones the service serves, the AWS policies
 * are the ones the code expects, and no secret is committed. The Kubernetes objects are also validated against the
 * Kubernetes API's own models (client-java-api, generated from Kubernetes' OpenAPI document). No Quarkus here: the
 * running service's side of the probes is checked by HealthTest.
 */
class DeployFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLACEHOLDER = "REPLACE_ME";
    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "123456789012";
    private static final String SERVICE_IOT_POLICY = "ServiceIotPolicy";
    private static final String DEVICE_IOT_POLICY = "DeviceIotPolicy";
    /** User-pool attributes no longer written nor mapped (a pool's custom attributes cannot be removed). */
    private static final Set<String> RETIRED_ATTRIBUTES = Set.of("iot_commands");

    /** The objects deploy/kubernetes must define (apiVersion, kind): the service and what keeps it available. */
    private static final Set<String> KINDS = Set.of("v1 Namespace", "v1 ServiceAccount", "v1 ConfigMap", "v1 Secret",
            "apps/v1 Deployment", "v1 Service", "autoscaling/v2 HorizontalPodAutoscaler", "policy/v1 PodDisruptionBudget",
            "batch/v1 Job");

    /**
     * Production settings docs/configuration.md documents that the deploy files leave at the service's default on purpose (the
     * default is the production value, or the setting is for tuning or for a stand-in of AWS). Every other documented
     * setting must be set; a setting newly documented must be added to the deploy files or here.
     */
    private static final Set<String> LEFT_AT_DEFAULT = Set.of(
            "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "QUARKUS_DATASOURCE_REACTIVE_CACHE_PREPARED_STATEMENTS",
            // appliance-sync-$HOSTNAME: the pod name, unique per replica.
            "MP_MESSAGING_CONNECTOR_SMALLRYE_MQTT_CLIENT_ID",
            "APPLIANCE_SYNC_CLOUD_CALLS_MAX_PER_SECOND", "APPLIANCE_SYNC_CLOUD_CALLS_MAX_ATTEMPTS",
            "APPLIANCE_SYNC_CLOUD_CALLS_BASE_BACKOFF", "APPLIANCE_SYNC_CLOUD_CALLS_MAX_BACKOFF",
            "APPLIANCE_SYNC_CLOUD_CALLS_TIMEOUT",
            // Stand-ins of AWS only; in AWS the pods' role gives credentials.
            "APPLIANCE_SYNC_CLOUD_ENDPOINT_OVERRIDE_IOT", "APPLIANCE_SYNC_CLOUD_ENDPOINT_OVERRIDE_COGNITO",
            "APPLIANCE_SYNC_CLOUD_STATIC_CREDENTIALS_ACCESS_KEY_ID",
            "APPLIANCE_SYNC_CLOUD_STATIC_CREDENTIALS_SECRET_ACCESS_KEY",
            "QUARKUS_SMALLRYE_GRAPHQL_UI_ENABLED", "APPLIANCE_SYNC_GRAPHQL_MAX_DEPTH",
            "APPLIANCE_SYNC_GRAPHQL_MAX_COST", "APPLIANCE_SYNC_GRAPHQL_MAX_TOKENS",
            "APPLIANCE_SYNC_GRAPHQL_RATE_LIMIT_BURST", "APPLIANCE_SYNC_GRAPHQL_RATE_LIMIT_PER_SECOND",
            "APPLIANCE_SYNC_GRAPHQL_RATE_LIMIT_TRACKED_CALLERS",
            "QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE",
            "APPLIANCE_SYNC_MIGRATION_LOCK_TIMEOUT", "APPLIANCE_SYNC_MIGRATION_STATEMENT_TIMEOUT",
            // HTTPS in the service is optional: the operator's ingress or load balancer usually terminates TLS.
            "QUARKUS_HTTP_TLS_CONFIGURATION_NAME", "QUARKUS_TLS__HTTPS__KEY_STORE_PEM__0__CERT",
            "QUARKUS_TLS__HTTPS__KEY_STORE_PEM__0__KEY", "QUARKUS_HTTP_SSL_PORT",
            "QUARKUS_HTTP_INSECURE_REQUESTS",
            "APPLIANCE_SYNC_APPSYNC_CONNECTION_TIMEOUT", "APPLIANCE_SYNC_APPSYNC_KEEP_ALIVE_INTERVAL");

    /** Production settings that mean nothing to the local stack (no TLS, one instance). */
    private static final Set<String> NOT_LOCAL = Set.of("APPLIANCE_SYNC_IOT_CERTIFICATE_FILE",
            "APPLIANCE_SYNC_IOT_PRIVATE_KEY_FILE", "APPLIANCE_SYNC_IOT_ROOT_CA_FILE", "APPLIANCE_SYNC_INGEST_SHARE_GROUP");

    /** What a committed secret looks like: a PEM block, an AWS access key id, a secret key's name with a value. */
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----|\\b(AKIA|ASIA)[0-9A-Z]{16}\\b|aws_secret_access_key\\s*[=:]");

    private static ApplicationProperties properties;
    private static KnownSettings known;
    private static String configurationDoc;
    private static String deploymentDoc;
    private static List<Map<String, Object>> objects;
    private static Map<String, Object> deployment;
    private static Map<String, Object> container;
    private static Map<String, String> configMap;
    private static CloudFormationTemplate stack;

    @BeforeAll
    static void load() {
        properties = ApplicationProperties.load();
        known = KnownSettings.load(properties);
        configurationDoc = DeployFiles.read(DeployFiles.CONFIGURATION_DOC);
        deploymentDoc = DeployFiles.read(DeployFiles.DEPLOYMENT_DOC);
        objects = DeployFiles.kubernetesObjects();
        deployment = only(objects, "Deployment");
        container = DeployFiles.deploymentContainer();
        configMap = strings(map(object(objects, "ConfigMap", configMapName()), "data"));
        stack = new CloudFormationTemplate(DeployFiles.yaml(DeployFiles.CLOUDFORMATION), REGION, ACCOUNT);
    }

    // --- Kubernetes ------------------------------------------------------------------------------------------------

    @Test
    void everyKubernetesObjectIsValidForTheKubernetesApi() throws Exception {
        Set<String> kinds = new TreeSet<>();
        for (Map<String, Object> object : objects) {
            String apiVersion = string(object, "apiVersion");
            String kind = string(object, "kind");
            string(object, "metadata", "name");
            kinds.add(apiVersion + " " + kind);
            // apps/v1 Deployment → V1Deployment: the model of that version, generated from Kubernetes' OpenAPI
            // document; its fromJson refuses unknown and missing required fields and malformed quantities.
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            String model = "io.kubernetes.client.openapi.models." + Character.toUpperCase(version.charAt(0))
                    + version.substring(1) + kind;
            Class<?> type = Class.forName(model);
            String json = JSON.writeValueAsString(object);
            assertThatCode(() -> {
                try {
                    type.getMethod("fromJson", String.class).invoke(null, json);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }).as("%s %s against %s", kind, string(object, "metadata", "name"), model).doesNotThrowAnyException();
        }
        assertThat(kinds).as("kinds in %s", DeployFiles.KUBERNETES).containsExactlyInAnyOrderElementsOf(KINDS);
    }

    @Test
    void kustomizationAppliesEveryManifestButTheSecretTemplate() throws IOException {
        Map<String, Object> kustomization = DeployFiles.yaml(DeployFiles.KUSTOMIZATION);
        List<String> resources = list(kustomization, "resources").stream().map(Object::toString).toList();
        Set<String> manifests;
        try (Stream<Path> files = Files.list(DeployFiles.KUBERNETES)) {
            manifests = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        manifests.remove(DeployFiles.KUSTOMIZATION.getFileName().toString());
        // Applying the template would overwrite the real Secrets with placeholders.
        manifests.remove(DeployFiles.SECRET_TEMPLATE.getFileName().toString());
        assertThat(resources).containsExactlyInAnyOrderElementsOf(manifests);

        String namespace = string(kustomization, "namespace");
        assertThat(string(only(objects, "Namespace"), "metadata", "name")).isEqualTo(namespace);
        for (Map<String, Object> object : objects) {
            Object own = find(object, "metadata", "namespace");
            assertThat(own).as("namespace of %s", find(object, "metadata", "name")).isIn(null, namespace);
        }
        // kustomize's images entry must name the image the Deployment uses, or it replaces nothing.
        assertThat(list(kustomization, "images").stream().map(i -> string(i, "name")))
                .containsExactly(string(container, "image"));
        // The pods' AWS role is bound (EKS Pod Identity) to this namespace and service account.
        String serviceAccount = string(only(objects, "ServiceAccount"), "metadata", "name");
        assertThat(string(deployment, "spec", "template", "spec", "serviceAccountName")).isEqualTo(serviceAccount);
        assertThat(stack.parameterDefault("KubernetesNamespace")).isEqualTo(namespace);
        assertThat(stack.parameterDefault("KubernetesServiceAccount")).isEqualTo(serviceAccount);
    }

    @Test
    void probesAndPortsAreWhatTheServiceServes() {
        int httpPort = Integer.parseInt(effectiveSetting("quarkus.http.port"));
        int managementPort = Integer.parseInt(effectiveSetting("quarkus.management.port"));
        assertThat(effectiveSetting("quarkus.management.enabled")).isEqualTo("true");
        String managementRoot = "/" + effectiveSetting("quarkus.management.root-path").replaceAll("^/+|/+$", "") + "/";
        Map<String, Integer> ports = containerPorts();
        assertThat(ports.values()).as("container ports").containsExactly(httpPort, managementPort);

        for (String probe : DeployFiles.probePaths().keySet()) {
            // Probes ask the management interface; HealthTest GETs each path there and shows the API port has none.
            assertThat(resolvePort(find(container, probe, "httpGet", "port"), ports)).as(probe)
                    .isEqualTo(managementPort);
            assertThat(string(container, probe, "httpGet", "path")).as(probe).startsWith(managementRoot + "health/");
        }
        // The public Service (the ingress's backend) carries the API only; metrics have a Service of their own.
        List<Object> servicePorts = list(object(objects, "Service", "appliance-sync"), "spec", "ports");
        assertThat(servicePorts).hasSize(1);
        assertThat(resolvePort(find(servicePorts.getFirst(), "targetPort"), ports)).as("Service targetPort")
                .isEqualTo(httpPort);
        List<Object> managementPorts = list(object(objects, "Service", "appliance-sync-management"), "spec", "ports");
        assertThat(managementPorts).hasSize(1);
        assertThat(resolvePort(find(managementPorts.getFirst(), "targetPort"), ports)).as("management targetPort")
                .isEqualTo(managementPort);
        Map<String, Object> annotations = map(deployment, "spec", "template", "metadata", "annotations");
        assertThat(annotations.get("prometheus.io/path")).isEqualTo(managementRoot
                + effectiveSetting("quarkus.micrometer.export.prometheus.path"));
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(String.valueOf(managementPort));
        for (Dockerfile dockerfile : dockerfiles()) {
            assertThat(dockerfile.last().arguments("EXPOSE")).as("EXPOSE of %s", dockerfile.file())
                    .containsExactly(httpPort + " " + managementPort);
        }
    }

    /**
     * Migrations run once per release, in the Job, as the schema's owner (docs/deployment.md, Migrations); the replicas, as the
     * data-only user, do not migrate. RollingDeployIT runs the packaged service with exactly the Job's settings.
     */
    @Test
    void migrationsRunInTheirOwnJobAsTheSchemaOwnerAndReplicasDoNot() {
        Map<String, Object> job = object(objects, "Job", "appliance-sync-migrate");
        Map<String, Object> pod = map(job, "spec", "template", "spec");
        List<Object> containers = list(pod, "containers");
        assertThat(containers).hasSize(1);
        Object migrate = containers.getFirst();
        assertThat(find(migrate, "image")).isEqualTo(find(container, "image"));
        assertThat(find(pod, "restartPolicy")).isEqualTo("Never");
        Map<String, String> env = new TreeMap<>();
        list(migrate, "env").forEach(e -> env.put(string(e, "name"), String.valueOf(find(e, "value"))));
        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of("QUARKUS_INIT_AND_EXIT", "true",
                "QUARKUS_FLYWAY_MIGRATE_AT_START", "true"));
        assertOnlyRunTimeSettings(env.keySet(), "the migration Job's environment");
        List<String> envFrom = list(migrate, "envFrom").stream()
                .map(e -> find(e, "configMapRef") != null ? "configMap:" + string(e, "configMapRef", "name")
                        : "secret:" + string(e, "secretRef", "name")).toList();
        assertThat(envFrom).containsExactly("configMap:" + configMapName(), "secret:appliance-sync-migration");
        // The owner's Secret carries the same keys as the service's: the database user, nothing else.
        assertThat(secretData("appliance-sync-migration").keySet())
                .isEqualTo(secretData(secretNameFromEnv()).keySet());
        assertThat(find(migrate, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);

        assertThat(effectiveSetting("quarkus.flyway.migrate-at-start")).as("replicas migrate at start").isEqualTo("false");
        assertThat(properties.prod("quarkus.flyway.init-sql").orElseThrow()).contains("lock_timeout")
                .contains("statement_timeout");
    }

    @Test
    void replicasSurviveADisruptionAndScaleOnCpu() {
        Map<String, String> podLabels = strings(map(deployment, "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(strings(map(deployment, "spec", "selector", "matchLabels")));
        Map<String, Object> service = object(objects, "Service", "appliance-sync");
        assertThat(podLabels).containsAllEntriesOf(strings(map(service, "spec", "selector")));

        int replicas = (Integer) find(deployment, "spec", "replicas");
        Map<String, Object> hpa = only(objects, "HorizontalPodAutoscaler");
        int minReplicas = (Integer) find(hpa, "spec", "minReplicas");
        assertThat(replicas).as("Deployment replicas").isGreaterThanOrEqualTo(2);
        assertThat(minReplicas).as("HPA minReplicas").isGreaterThanOrEqualTo(2);
        assertThat((Integer) find(hpa, "spec", "maxReplicas")).isGreaterThan(minReplicas);
        assertThat(string(hpa, "spec", "scaleTargetRef", "kind")).isEqualTo("Deployment");
        assertThat(string(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(string(deployment, "metadata", "name"));
        assertThat(list(hpa, "spec", "metrics")).anySatisfy(metric -> {
            assertThat(find(metric, "type")).isEqualTo("Resource");
            assertThat(find(metric, "resource", "name")).isEqualTo("cpu");
            assertThat(find(metric, "resource", "target", "type")).isEqualTo("Utilization");
        });
        // Utilization is a share of the request: without a CPU request the HPA cannot compute it.
        assertThat(find(container, "resources", "requests", "cpu")).isNotNull();
        assertThat(find(container, "resources", "requests", "memory")).isNotNull();
        assertThat(find(container, "resources", "limits", "memory")).isNotNull();

        Map<String, Object> pdb = only(objects, "PodDisruptionBudget");
        int minAvailable = (Integer) find(pdb, "spec", "minAvailable");
        assertThat(minAvailable).isPositive().isLessThan(Math.min(replicas, minReplicas));
        assertThat(podLabels).containsAllEntriesOf(strings(map(pdb, "spec", "selector", "matchLabels")));
    }

    @Test
    void podsRunAsTheImagesNonRootUserOnAReadOnlyRoot() {
        Map<String, Object> pod = map(deployment, "spec", "template", "spec");
        assertThat(find(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        Object runAsUser = find(pod, "securityContext", "runAsUser");
        assertThat(runAsUser).isNotEqualTo(0);
        for (Dockerfile dockerfile : dockerfiles()) {
            assertThat(dockerfile.last().user()).as("USER of %s", dockerfile.file()).isEqualTo(String.valueOf(runAsUser));
        }
        assertThat(find(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(find(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(list(container, "securityContext", "capabilities", "drop")).containsExactly("ALL");
        // The only writable directory, where Vert.x and the Cedar native library write.
        String tmpVolume = volumeMountedAt("/tmp");
        assertThat(find(volume(tmpVolume), "emptyDir")).as("volume %s", tmpVolume).isNotNull();
    }

    @Test
    void environmentHoldsOnlySettingsTheServiceReadsAtRunTimeAndEveryProductionSetting() {
        Map<String, String> secret = secretData(secretNameFromEnv());
        Map<String, String> configured = new TreeMap<>(configMap);
        configured.putAll(secret);
        for (Object env : Optional.ofNullable((List<?>) find(container, "env")).orElse(List.of())) {
            configured.put(string(env, "name"), String.valueOf(find(env, "value")));
        }
        assertThat(known.size()).as("settings found in the application and its libraries").isGreaterThan(500);
        assertOnlyRunTimeSettings(configured.keySet(), "the Deployment's environment");
        assertThat(Set.copyOf(configMap.keySet())).as("keys both in the ConfigMap and the Secret")
                .doesNotContainAnyElementsOf(secret.keySet());

        Map<String, String> documented = MarkdownDocs.documentedSettings(configurationDoc);
        assertThat(documented).as("settings documented in docs/configuration.md").hasSizeGreaterThan(20);
        assertOnlyRunTimeSettings(documented.keySet(), "docs/configuration.md");
        assertThat(documented.keySet()).as("LEFT_AT_DEFAULT names only documented settings")
                .containsAll(LEFT_AT_DEFAULT);
        assertThat(configured.keySet()).as("settings both configured and LEFT_AT_DEFAULT")
                .doesNotContainAnyElementsOf(LEFT_AT_DEFAULT);
        Set<String> required = new TreeSet<>(documented.keySet());
        required.removeAll(LEFT_AT_DEFAULT);
        assertThat(configured.keySet()).as("every documented production setting not in LEFT_AT_DEFAULT")
                .containsAll(required);

        // Values that are no placeholder: the production ones, as docs/configuration.md gives them.
        assertThat(configMap.get("APPLIANCE_SYNC_CLOUD_MODE")).isEqualTo("aws");
        for (String setting : List.of("APPLIANCE_SYNC_IOT_TLS", "MP_MESSAGING_CONNECTOR_SMALLRYE_MQTT_PORT")) {
            assertThat(configMap.get(setting)).as(setting).isEqualTo(documented.get(setting));
        }
        // The share group is one setting in three places: the service's default, the ConfigMap, the IoT policy.
        assertThat(configMap.get("APPLIANCE_SYNC_INGEST_SHARE_GROUP"))
                .isEqualTo(properties.prod("appliance-sync.ingest.share-group").orElseThrow())
                .isEqualTo(stack.parameterDefault("ShareGroup"));
        assertThat(configMap.get("APPLIANCE_SYNC_CLOUD_POLICY_NAME_PREFIX"))
                .isEqualTo(stack.parameterDefault("PolicyNamePrefix"));
    }

    @Test
    void iotCertificateFilesAreMountedWhereTheSettingsPointAndTheDocsSay() {
        Map<String, String> documented = MarkdownDocs.documentedSettings(configurationDoc);
        for (String setting : List.of("APPLIANCE_SYNC_IOT_CERTIFICATE_FILE", "APPLIANCE_SYNC_IOT_PRIVATE_KEY_FILE",
                "APPLIANCE_SYNC_IOT_ROOT_CA_FILE")) {
            String file = configMap.get(setting);
            assertThat(file).as(setting).isEqualTo(documented.get(setting));
            Path path = Path.of(file);
            String volumeName = volumeMountedAt(path.getParent().toString());
            Map<String, Object> volume = volume(volumeName);
            String secretName = string(volume, "secret", "secretName");
            Map<String, String> keyByPath = new LinkedHashMap<>();
            list(volume, "secret", "items").forEach(item -> keyByPath.put(string(item, "path"), string(item, "key")));
            assertThat(keyByPath).as("items of volume %s", volumeName).containsKey(path.getFileName().toString());
            assertThat(secretData(secretName)).as("Secret %s in the template", secretName)
                    .containsKey(keyByPath.get(path.getFileName().toString()));
        }
    }

    @Test
    void secretTemplateHoldsPlaceholdersOnlyAndNoDeployFileHoldsASecret() throws IOException {
        List<Map<String, Object>> secrets = DeployFiles.yamlDocuments(DeployFiles.SECRET_TEMPLATE).stream()
                .map(DeployFiles::map).toList();
        assertThat(secrets).isNotEmpty().allSatisfy(secret -> {
            assertThat(secret.get("kind")).isEqualTo("Secret");
            // base64 in data: would hide what a value is; stringData keeps the placeholders readable.
            assertThat(secret).doesNotContainKey("data");
            assertThat(strings(map(secret, "stringData"))).isNotEmpty().allSatisfy(
                    (key, value) -> assertThat(value).as("%s in %s", key, DeployFiles.SECRET_TEMPLATE).isEqualTo(PLACEHOLDER));
        });
        List<Path> files = new ArrayList<>(List.of(DeployFiles.DOCKERFILE, DeployFiles.DOCKERFILE_JVM));
        try (Stream<Path> deploy = Files.walk(Path.of("deploy"))) {
            deploy.filter(Files::isRegularFile).forEach(files::add);
        }
        assertThat(files).hasSizeGreaterThan(10).allSatisfy(file -> assertThat(SECRET_LOOKING.matcher(DeployFiles.read(file)).find())
                .as("%s holds something that looks like a secret", file).isFalse());
    }

    // --- compose ---------------------------------------------------------------------------------------------------

    @Test
    void composeRunsPostgresMosquittoAndTheJvmImageWithTheProductionSettings() {
        Map<String, Object> services = map(DeployFiles.yaml(DeployFiles.COMPOSE), "services");
        assertThat(services.keySet()).containsExactlyInAnyOrder("postgres", "mosquitto", "appliance-sync");
        assertThat(string(services, "postgres", "image")).isEqualTo("postgres:17");
        assertThat(string(services, "mosquitto", "image")).isEqualTo("eclipse-mosquitto:2");
        Map<String, Object> service = map(services, "appliance-sync");
        assertThat(Path.of("deploy").resolve(string(service, "build", "context")).resolve(
                string(service, "build", "dockerfile")).normalize()).isEqualTo(DeployFiles.DOCKERFILE_JVM);
        assertThat(find(service, "depends_on", "postgres", "condition")).isEqualTo("service_healthy");

        // Compose interpolates the file: $$ is a literal $, ${NAME:?...} must come from the caller's environment.
        Map<String, String> env = new TreeMap<>();
        strings(map(service, "environment")).forEach((k, v) -> {
            // A lone $ would be interpolated: $aws/things/... would reach the service as /things/...
            assertThat(v.replace("$$", "").replaceAll("\\$\\{[A-Z_]+:\\?[^}]*}", "")).as("%s: unescaped $", k)
                    .doesNotContain("$");
            env.put(k, v.replace("$$", "$"));
        });
        assertOnlyRunTimeSettings(env.keySet(), DeployFiles.COMPOSE + "'s environment");
        Set<String> production = new TreeSet<>(configMap.keySet());
        production.addAll(secretData(secretNameFromEnv()).keySet());
        production.removeAll(NOT_LOCAL);
        assertThat(env.keySet()).as("the production settings that apply locally").containsAll(production);
        assertThat(env).containsEntry("APPLIANCE_SYNC_EMBEDDED_ENABLED", "false")
                .containsEntry("APPLIANCE_SYNC_CLOUD_MODE", "aws")
                .containsEntry("APPLIANCE_SYNC_IOT_TLS", "false")
                .containsEntry("MP_MESSAGING_CONNECTOR_SMALLRYE_MQTT_HOST", "mosquitto");
        assertThat(env.get("QUARKUS_OIDC_AUTH_SERVER_URL")).startsWith("${QUARKUS_OIDC_AUTH_SERVER_URL:?");
        // A production build has no local cloud gateway: compose reaches the stack's account, as production does.
        for (String fromTheStack : List.of("APPLIANCE_SYNC_CLOUD_REGION", "APPLIANCE_SYNC_CLOUD_ACCOUNT_ID",
                "APPLIANCE_SYNC_CLOUD_USER_POOL_ID", "APPLIANCE_SYNC_CLOUD_IDENTITY_POOL_ID")) {
            assertThat(env.get(fromTheStack)).as(fromTheStack).startsWith("${" + fromTheStack + ":?");
        }
        assertThat(string(service, "env_file")).as("the AWS credentials' file").isEqualTo("aws-credentials.env");

        Map<String, String> postgres = strings(map(services, "postgres", "environment"));
        String database = "postgres:5432/" + postgres.get("POSTGRES_DB");
        assertThat(env).containsEntry("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + database)
                .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + database)
                .containsEntry("QUARKUS_DATASOURCE_USERNAME", postgres.get("POSTGRES_USER"))
                .containsEntry("QUARKUS_DATASOURCE_PASSWORD", postgres.get("POSTGRES_PASSWORD"));

        // The broker's configuration file is mounted where the image reads it, and listens where the service connects.
        String mount = list(services, "mosquitto", "volumes").stream().map(Object::toString)
                .filter(v -> v.endsWith(":/mosquitto/config/mosquitto.conf:ro")).findFirst().orElseThrow();
        String conf = DeployFiles.read(Path.of("deploy").resolve(mount.substring(0, mount.indexOf(':'))).normalize());
        assertThat(conf.lines()).contains("listener " + env.get("MP_MESSAGING_CONNECTOR_SMALLRYE_MQTT_PORT"),
                "allow_anonymous true");

        // mosquitto gives shared subscriptions no '$' topic: this one instance subscribes to the reserved ones plainly.
        assertThat(deviceFilters()).as("the prod profile's device topics").anyMatch(filter -> filter.startsWith("$"));
        assertThat(env).containsEntry("APPLIANCE_SYNC_INGEST_SHARE_RESERVED_TOPICS", "false");
        assertThat(env.keySet()).as("per-channel settings of the SmallRye connector, which is no longer used")
                .noneMatch(name -> name.startsWith("MP_MESSAGING_INCOMING_") || name.startsWith("MP_MESSAGING_OUTGOING_"));
    }

    // --- Dockerfiles -----------------------------------------------------------------------------------------------

    @Test
    void dockerfilesBuildTheNativeAndTheJvmImageFromTheContextTheyAreGiven() {
        Dockerfile nativeImage = Dockerfile.parse(DeployFiles.DOCKERFILE);
        assertThat(nativeImage.stages()).hasSize(2);
        String builder = Dockerfile.image(nativeImage.first().from());
        assertThat(builder).startsWith("quay.io/quarkus/ubi-quarkus-mandrel-builder-image:").endsWith("-java21");
        // A release tag, not the moving jdk-21 one.
        assertThat(builder).matches(".*:\\d+\\.\\d+\\.\\d+\\.\\d+-Final-java21");
        assertThat(nativeImage.first().arguments("RUN")).anySatisfy(
                run -> assertThat(run).contains("./mvnw").contains("-Pnative").contains("package").contains("-DskipTests"));
        assertThat(Dockerfile.image(nativeImage.last().from())).startsWith("quay.io/quarkus/quarkus-micro-image:");
        assertThat(nativeImage.last().arguments("COPY")).anySatisfy(copy -> assertThat(copy).contains("--from=build")
                .contains("/code/target/*-runner"));

        Dockerfile jvm = Dockerfile.parse(DeployFiles.DOCKERFILE_JVM);
        assertThat(Dockerfile.image(jvm.first().from())).startsWith("eclipse-temurin:21.").contains("-jdk");
        assertThat(Dockerfile.image(jvm.last().from())).startsWith("eclipse-temurin:21.").contains("-jre");
        assertThat(jvm.last().arguments("COPY")).allSatisfy(copy -> assertThat(copy).contains("target/quarkus-app/"));
        assertThat(jvm.last().arguments("ENTRYPOINT")).singleElement().asString().contains("quarkus-run.jar");

        // The context is an allow-list: every path a Dockerfile copies from it must be let in.
        List<String> ignore = DeployFiles.read(DeployFiles.DOCKERIGNORE).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignore.getFirst()).isEqualTo("*");
        Set<String> allowed = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1).replaceAll("/$", ""))
                .collect(Collectors.toSet());
        for (Dockerfile dockerfile : dockerfiles()) {
            for (String source : dockerfile.contextSources()) {
                assertThat(allowed).as("%s copies %s", dockerfile.file(), source).contains(source.replaceAll("/$", ""));
                assertThat(Path.of(source)).as("%s copies %s", dockerfile.file(), source).exists();
            }
        }
        assertThat(allowed).doesNotContain("target", ".dev-data", "deploy");
    }

    // --- CloudFormation --------------------------------------------------------------------------------------------

    @Test
    void everyReferenceOfTheTemplateResolves() {
        // Unknown Ref/GetAtt/Sub variables fail in resolve, as a forgotten ${!...} escape would.
        stack.resources().keySet().forEach(id -> stack.properties(id));
        stack.resolve(DeployFiles.map(DeployFiles.yaml(DeployFiles.CLOUDFORMATION), "Outputs"));
        for (Map.Entry<String, Object> resource : stack.resources().entrySet()) {
            Object condition = find(resource.getValue(), "Condition");
            if (condition != null) {
                assertThatCode(() -> stack.condition(condition.toString())).as(resource.getKey()).doesNotThrowAnyException();
            }
        }
        assertThat(stack.resourcesOfType("AWS::Cognito::UserPool")).hasSize(1);
        assertThat(stack.resourcesOfType("AWS::Cognito::UserPoolClient")).hasSize(1);
        assertThat(stack.resourcesOfType("AWS::Cognito::IdentityPool")).hasSize(1);
        assertThat(stack.resourcesOfType("AWS::Cognito::IdentityPoolPrincipalTag")).hasSize(1);
        assertThat(stack.resourcesOfType("AWS::Cognito::IdentityPoolRoleAttachment")).hasSize(1);
        assertThat(stack.resourcesOfType("AWS::IAM::ManagedPolicy")).hasSize(1);
        assertThat(stack.resourcesOfType("AWS::IoT::Policy")).containsExactlyInAnyOrder(SERVICE_IOT_POLICY,
                DEVICE_IOT_POLICY);
        assertThat(stack.resourcesOfType("AWS::IoT::Thing")).hasSize(1);
    }

    @Test
    void userAttributesAreThePrincipalTagsOnlyTheServiceWrites() {
        Set<String> tags = principalTags();
        String pool = stack.resourcesOfType("AWS::Cognito::UserPool").getFirst();
        Map<String, Map<String, Object>> custom = new TreeMap<>();
        list(stack.properties(pool), "Schema").forEach(a -> custom.put(string(a, "Name"), map(a)));
        custom.remove("email");
        Set<String> expected = new TreeSet<>(tags);
        expected.addAll(RETIRED_ATTRIBUTES);
        assertThat(custom.keySet()).isEqualTo(expected);
        custom.values().forEach(attribute -> {
            assertThat(attribute.get("AttributeDataType")).isEqualTo("String");
            assertThat(attribute.get("Mutable")).isEqualTo(true);
        });
        Map<String, Object> client = stack.properties(stack.resourcesOfType("AWS::Cognito::UserPoolClient").getFirst());
        Set<String> attributes = tags.stream().map(tag -> "custom:" + tag).collect(Collectors.toSet());
        // Without WriteAttributes every mutable attribute is writable by the user: it must be there, without them.
        assertThat(list(client, "WriteAttributes")).isNotEmpty().doesNotContainAnyElementsOf(attributes);
        // The identity pool reads them from the ID token, which carries only readable attributes.
        assertThat(list(client, "ReadAttributes")).containsAll(attributes);
        assertThat(find(client, "GenerateSecret")).isEqualTo(false);
        assertThat(find(stack.properties(pool), "LambdaConfig", "PreTokenGenerationConfig", "LambdaVersion"))
                .as("access-token claims need the version 2 trigger").isEqualTo("V2_0");
    }

    @Test
    void identityPoolMapsExactlyThePrincipalTagsTheServiceSets() {
        Map<String, Object> mapping = stack.properties(
                stack.resourcesOfType("AWS::Cognito::IdentityPoolPrincipalTag").getFirst());
        Map<String, String> expected = new TreeMap<>();
        principalTags().forEach(tag -> expected.put(tag, "custom:" + tag));
        assertThat(strings(map(mapping, "PrincipalTags"))).isEqualTo(expected);
        assertThat(mapping.get("UseDefaults")).isEqualTo(false);
        String identityPool = stack.resourcesOfType("AWS::Cognito::IdentityPool").getFirst();
        assertThat(mapping.get("IdentityPoolId")).isEqualTo("{Ref:" + identityPool + "}");
        Map<String, Object> pool = stack.properties(identityPool);
        assertThat(pool.get("AllowUnauthenticatedIdentities")).isEqualTo(false);
        assertThat(mapping.get("IdentityProviderName"))
                .isEqualTo(find(list(pool, "CognitoIdentityProviders").getFirst(), "ProviderName"));
    }

    @Test
    void authenticatedRoleIsTheRepositorysRolePolicyAndTrustsOnlyTheIdentityPool() throws Exception {
        Map<String, Object> attachment = stack.properties(
                stack.resourcesOfType("AWS::Cognito::IdentityPoolRoleAttachment").getFirst());
        String role = roleOf(string(attachment, "Roles", "authenticated"));
        assertThat(map(attachment, "Roles").keySet()).containsExactly("authenticated");
        String identityPool = stack.resourcesOfType("AWS::Cognito::IdentityPool").getFirst();

        // For two partitions, so that the template's ${AWS::Partition} is proven to stand where {{partition}} does.
        for (String region : List.of(REGION, "cn-north-1")) {
            CloudFormationTemplate inRegion = new CloudFormationTemplate(DeployFiles.yaml(DeployFiles.CLOUDFORMATION),
                    region, ACCOUNT);
            Map<String, Object> properties = inRegion.properties(role);
            Map<String, Object> trust = map(properties, "AssumeRolePolicyDocument");
            Object statement = list(trust, "Statement").getFirst();
            assertThat(list(trust, "Statement")).hasSize(1);
            assertThat(find(statement, "Principal", "Federated")).isEqualTo("cognito-identity.amazonaws.com");
            assertThat(list(statement, "Action")).containsExactlyInAnyOrder("sts:AssumeRoleWithWebIdentity",
                    "sts:TagSession");
            assertThat(find(statement, "Condition", "StringEquals", "cognito-identity.amazonaws.com:aud"))
                    .isEqualTo("{Ref:" + identityPool + "}");
            assertThat(find(statement, "Condition", "ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr"))
                    .isEqualTo("authenticated");

            List<Object> policies = list(properties, "Policies");
            assertThat(policies).hasSize(1);
            assertThat(find(properties, "ManagedPolicyArns")).isNull();
            String expected = IdentityPoolRolePolicy.render(new PolicyTarget(region, ACCOUNT,
                    stack.parameterDefault("PolicyNamePrefix")));
            assertThat(normalized(JSON.valueToTree(find(policies.getFirst(), "PolicyDocument"))))
                    .as("the role policy in %s against %s", region, IdentityPoolRolePolicy.RESOURCE)
                    .isEqualTo(normalized(JSON.readTree(expected)));
        }
    }

    @Test
    void deviceIotPolicyIsTheShippedFile() throws Exception {
        // For two partitions, so that the template's ${AWS::Partition} is proven to stand where {{partition}} does.
        for (String region : List.of(REGION, "cn-north-1")) {
            CloudFormationTemplate inRegion = new CloudFormationTemplate(DeployFiles.yaml(DeployFiles.CLOUDFORMATION),
                    region, ACCOUNT);
            String expected = PolicyTemplate.render(DeployFiles.read(DeployFiles.DEVICE_POLICY),
                    new PolicyTarget(region, ACCOUNT, "p-"), DeployFiles.DEVICE_POLICY.toString());
            assertThat(normalized(JSON.valueToTree(inRegion.properties(DEVICE_IOT_POLICY).get("PolicyDocument"))))
                    .as("the device policy in %s against %s", region, DeployFiles.DEVICE_POLICY)
                    .isEqualTo(normalized(JSON.readTree(expected)));
        }
        assertThat(DeployFiles.read(DeployFiles.DEVICE_POLICY)).contains("{{partition}}", "{{region}}",
                "{{accountId}}", "${iot:Connection.Thing.ThingName}");
    }

    @Test
    void servicePolicyAllowsExactlyTheCallsTheGatewayMakesOnItsOwnPoliciesAndPool() throws Exception {
        Map<String, Object> policy = map(stack.properties(stack.resourcesOfType("AWS::IAM::ManagedPolicy").getFirst()),
                "PolicyDocument");
        Set<String> actions = new TreeSet<>();
        list(policy, "Statement").forEach(s -> {
            assertThat(find(s, "Effect")).isEqualTo("Allow");
            list(s, "Action").forEach(a -> actions.add(a.toString()));
        });
        // Each operation the AWS gateway calls, as an IAM action.
        Set<String> calls = Arrays.stream(CloudOperation.values()).map(CloudOperation::iamAction)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(actions).isEqualTo(calls);
        assertThat(new TreeSet<>(MarkdownDocs.iamActions(MarkdownDocs.paragraphWith(configurationDoc,
                "Its IAM role needs")))).as("the list in docs/configuration.md").isEqualTo(calls);

        // Evaluated like IAM (same grammar and globbing as IoT policies): the users' policies, and nothing else.
        List<CompiledPolicy> document = List.of(new CompiledPolicy("service", JSON.writeValueAsString(policy)));
        IotPolicyEvaluator evaluator = new IotPolicyEvaluator();
        String prefix = stack.parameterDefault("PolicyNamePrefix");
        String userPolicy = IotPolicyCompiler.userPolicyPrefix(prefix, "3f2b6c1e-8d4a-4f8e-9b1a-2c3d4e5f6a7b") + "1";
        String ownConnectionPolicy = stack.properties(SERVICE_IOT_POLICY).get("PolicyName").toString();
        String devicePolicy = stack.properties(DEVICE_IOT_POLICY).get("PolicyName").toString();
        String identityPool = "arn:aws:cognito-identity:" + REGION + ":" + ACCOUNT + ":identitypool/{Ref:"
                + stack.resourcesOfType("AWS::Cognito::IdentityPool").getFirst() + "}";
        for (CloudOperation op : CloudOperation.values()) {
            String action = op.iamAction();
            if (op.service() == CloudOperation.Service.IDENTITY_POOL) {
                assertThat(evaluator.decide(document, action, identityPool, Map.of()).allowed()).as(action).isTrue();
                assertThat(evaluator.decide(document, action, identityPool.replace("{Ref:", "{Other:"), Map.of())
                        .allowed()).as("%s on another pool", action).isFalse();
                continue;
            }
            if (op.service() == CloudOperation.Service.USER_POOL) {
                assertThat(evaluator.decide(document, action, "{GetAtt:" + stack.resourcesOfType(
                        "AWS::Cognito::UserPool").getFirst() + ".Arn}", Map.of()).allowed()).as(action).isTrue();
                continue;
            }
            assertThat(evaluator.decide(document, action, iotArn("policy/" + userPolicy), Map.of()).allowed())
                    .as("%s on %s", action, userPolicy).isTrue();
        }
        for (String action : List.of("iot:CreatePolicyVersion", "iot:DeletePolicy", "iot:GetPolicy")) {
            assertThat(evaluator.decide(document, action, iotArn("policy/" + ownConnectionPolicy), Map.of()).allowed())
                    .as("%s on the service's own connection policy", action).isFalse();
            assertThat(evaluator.decide(document, action, iotArn("policy/" + devicePolicy), Map.of()).allowed())
                    .as("%s on the devices' policy", action).isFalse();
        }
        assertThat(ownConnectionPolicy).doesNotStartWith(prefix);
        assertThat(devicePolicy).doesNotStartWith(prefix);
    }

    @Test
    void serviceIotPolicyLetsEachReplicaConnectSubscribeToTheDeviceTopicsAndPublishCommandsOnly() throws Exception {
        Map<String, Object> policy = stack.properties(SERVICE_IOT_POLICY);
        List<CompiledPolicy> document = List.of(new CompiledPolicy("service",
                JSON.writeValueAsString(policy.get("PolicyDocument"))));
        IotPolicyEvaluator evaluator = new IotPolicyEvaluator();

        // The client id the prod profile gives a pod: Kubernetes sets HOSTNAME to the pod's name.
        Map<String, String> pod = Map.of("HOSTNAME", "appliance-sync-7c9d8b6f5-x2x9q", "quarkus.uuid", "(unused)");
        String clientId = properties.prod("mp.messaging.connector.smallrye-mqtt.client-id", pod::get).orElseThrow();
        assertThat(clientId).endsWith(pod.get("HOSTNAME"));
        assertThat(allowed(evaluator, document, "iot:Connect", "client/" + clientId)).as(clientId).isTrue();
        assertThat(allowed(evaluator, document, "iot:Connect", "client/eu-west-1:5b7e2f0a-1c3d")).isFalse();

        String sharePrefix = "$share/" + configMap.get("APPLIANCE_SYNC_INGEST_SHARE_GROUP") + "/";
        List<String> plainFilters = new ArrayList<>(deviceFilters());
        plainFilters.add(DeviceTopicsConfig.class.getMethod("commandResults").getAnnotation(WithDefault.class).value());
        assertThat(plainFilters).hasSize(8);
        for (String plain : plainFilters) {
            String filter = sharePrefix + plain;
            assertThat(allowed(evaluator, document, "iot:Subscribe", "topicfilter/" + filter)).as(filter).isTrue();
            // Plainly too, for the fallback in docs/configuration.md when IoT Core does not share the $aws topics.
            if (plain.startsWith("$")) {
                assertThat(allowed(evaluator, document, "iot:Subscribe", "topicfilter/" + plain)).as(plain).isTrue();
            }
            String topic = plain.replace("+", "SN-00042");
            assertThat(allowed(evaluator, document, "iot:Receive", "topic/" + topic)).as(topic).isTrue();
        }
        String commands = properties.prod("appliance-sync.mqtt.topics.commands").orElse(
                DeviceTopicsConfig.class.getMethod("commands").getAnnotation(WithDefault.class).value());
        String commandTopic = commands.replace(DeviceTopicsConfig.THING_NAME, "SN-00042");
        assertThat(allowed(evaluator, document, "iot:Publish", "topic/" + commandTopic)).as(commandTopic).isTrue();
        // The view topics the service publishes for apps (cloud/view/ViewRelay), each channel, thing and household.
        for (AppTopics.Channel channel : AppTopics.Channel.values()) {
            for (String view : List.of(AppTopics.ofThing("SN-00042", channel),
                    AppTopics.ofHousehold("k3x9q2ab", channel, "SN-00042"))) {
                assertThat(allowed(evaluator, document, "iot:Publish", "topic/" + view)).as(view).isTrue();
                assertThat(allowed(evaluator, document, "iot:RetainPublish", "topic/" + view)).as(view).isFalse();
            }
        }

        assertThat(allowed(evaluator, document, "iot:Subscribe", "topicfilter/view/#")).isFalse();

        // Nothing more: no other filter, no shadow update (that is the device's), no retained publish.
        assertThat(allowed(evaluator, document, "iot:Subscribe", "topicfilter/#")).isFalse();
        assertThat(allowed(evaluator, document, "iot:Subscribe", "topicfilter/$share/other-group/appliances/+/state"))
                .isFalse();
        assertThat(allowed(evaluator, document, "iot:Publish", "topic/$aws/things/SN-00042/shadow/update")).isFalse();
        assertThat(allowed(evaluator, document, "iot:Publish", "topic/appliances/SN-00042/state")).isFalse();
        assertThat(allowed(evaluator, document, "iot:RetainPublish", "topic/" + commandTopic)).isFalse();
        assertThat(allowed(evaluator, document, "iot:Receive", "topic/other/SN-00042/state")).isFalse();
    }

    @Test
    void stackOutputsFeedTheConfigMapAndTheDeploymentDocCoversEveryOtherPlaceholder() {
        Map<String, Object> outputs = map(DeployFiles.yaml(DeployFiles.CLOUDFORMATION), "Outputs");
        Set<String> fed = new TreeSet<>();
        Pattern target = Pattern.compile("^ConfigMap ([A-Z0-9_]+)$");
        outputs.forEach((name, output) -> {
            Matcher matcher = target.matcher(string(output, "Description"));
            if (matcher.matches()) {
                assertThat(configMap).as("output %s", name).containsKey(matcher.group(1));
                fed.add(matcher.group(1));
            }
        });
        assertThat(fed).hasSizeGreaterThanOrEqualTo(5);
        String walkThrough = deploymentDoc;
        configMap.forEach((key, value) -> {
            if (value.contains(PLACEHOLDER) && !fed.contains(key)) {
                assertThat(walkThrough).as("docs/deployment.md says where %s comes from", key).contains(key);
            }
        });
        String issuer = stack.resolve(find(outputs, "UserPoolIssuer", "Value")).toString();
        assertThat(issuer).isEqualTo("https://cognito-idp." + REGION + ".amazonaws.com/{Ref:"
                + stack.resourcesOfType("AWS::Cognito::UserPool").getFirst() + "}");
    }

    // --- Helpers ---------------------------------------------------------------------------------------------------

    private static void assertOnlyRunTimeSettings(Set<String> names, String where) {
        for (String name : names) {
            Optional<KnownSettings.Setting> setting = known.byEnvironmentVariable(name);
            assertThat(setting).as("%s: %s is no setting of the service", where, name).isPresent();
            assertThat(setting.get().phase()).as("%s: %s (%s) is fixed at build time, setting it at run time does nothing",
                    where, name, setting.get().property()).isEqualTo(KnownSettings.Phase.RUN_TIME);
        }
    }

    /** A Quarkus property as the container sees it: its environment, else application.properties, else the default. */
    private static String effectiveSetting(String property) {
        String env = configMap.get(KnownSettings.environmentVariable(property));
        if (env != null) {
            return env;
        }
        return properties.prod(property).or(() -> known.quarkusDefault(property)).orElseThrow(
                () -> new AssertionError("no value for " + property));
    }

    private static Set<String> principalTags() {
        // The tags the compiler writes for any user (all of them, with values none/false for no grants).
        return new TreeSet<>(new IotPolicyCompiler().compile(new CloudGrants("u-1", List.of(), List.of()),
                new PolicyTarget(REGION, ACCOUNT, "appliance-sync-")).principalTags().keySet());
    }

    private static List<Dockerfile> dockerfiles() {
        return List.of(Dockerfile.parse(DeployFiles.DOCKERFILE), Dockerfile.parse(DeployFiles.DOCKERFILE_JVM));
    }

    /** The device topic filters the prod profile subscribes to (IngestConfig's topics), without the share prefix. */
    private static List<String> deviceFilters() {
        String prefix = "appliance-sync.ingest.topics.";
        List<String> filters = properties.keys().stream().filter(k -> k.startsWith(prefix))
                .map(k -> properties.prod(k).orElseThrow()).distinct().toList();
        assertThat(filters).as("IngestConfig's seven topics").hasSize(7);
        return filters;
    }

    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        list(container, "ports").forEach(p -> ports.put(string(p, "name"), (Integer) find(p, "containerPort")));
        return ports;
    }

    private static int resolvePort(Object port, Map<String, Integer> named) {
        if (port instanceof Integer number) {
            return number;
        }
        assertThat(named).as("named port %s", port).containsKey(String.valueOf(port));
        return named.get(String.valueOf(port));
    }

    private static String volumeMountedAt(String mountPath) {
        return list(container, "volumeMounts").stream().filter(m -> mountPath.equals(find(m, "mountPath")))
                .map(m -> string(m, "name")).findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + mountPath));
    }

    private static Map<String, Object> volume(String name) {
        return list(deployment, "spec", "template", "spec", "volumes").stream().filter(v -> name.equals(find(v, "name")))
                .map(DeployFiles::map).findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static String configMapName() {
        return envFromName("configMapRef");
    }

    private static String secretNameFromEnv() {
        return envFromName("secretRef");
    }

    private static String envFromName(String kind) {
        return list(container, "envFrom").stream().filter(e -> find(e, kind) != null).map(e -> string(e, kind, "name"))
                .findFirst().orElseThrow(() -> new AssertionError("the container's envFrom has no " + kind));
    }

    /** The stringData of the template's Secret of that name. */
    private static Map<String, String> secretData(String name) {
        return DeployFiles.yamlDocuments(DeployFiles.SECRET_TEMPLATE).stream()
                .filter(d -> name.equals(find(d, "metadata", "name"))).map(d -> strings(map(d, "stringData")))
                .findFirst().orElseThrow(() -> new AssertionError("no Secret " + name + " in " + DeployFiles.SECRET_TEMPLATE));
    }

    private static String roleOf(String getAttArn) {
        Matcher matcher = Pattern.compile("\\{GetAtt:(\\w+)\\.Arn}").matcher(getAttArn);
        assertThat(matcher.matches()).as("a role's Arn: %s", getAttArn).isTrue();
        assertThat(stack.type(matcher.group(1))).isEqualTo("AWS::IAM::Role");
        return matcher.group(1);
    }

    private static boolean allowed(IotPolicyEvaluator evaluator, List<CompiledPolicy> policies, String action,
            String resource) {
        Decision decision = evaluator.decide(policies, action, iotArn(resource), Map.of());
        return decision.allowed();
    }

    private static String iotArn(String resource) {
        return new PolicyTarget(REGION, ACCOUNT, "x").iotArn(resource);
    }

    private static Map<String, String> strings(Map<String, Object> map) {
        Map<String, String> strings = new TreeMap<>();
        map.forEach((k, v) -> {
            assertThat(v).as("value of %s (quote numbers and booleans meant as strings)", k).isInstanceOf(String.class);
            strings.put(k, (String) v);
        });
        return strings;
    }

    /**
     * A policy as IAM reads it: a single value is the same as a one-element list, and the order of statements and of
     * values does not matter. So every scalar becomes a one-element list and every list is sorted (wrapping Version,
     * Sid and Effect too is harmless: both sides get the same).
     */
    private static JsonNode normalized(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            node.properties().forEach(e -> out.set(e.getKey(), normalized(e.getValue())));
            return out;
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> items.add(normalized(item)));
        } else {
            items.add(node);
        }
        items.sort((a, b) -> a.toString().compareTo(b.toString()));
        ArrayNode out = JSON.createArrayNode();
        items.forEach(out::add);
        return out;
    }
}
