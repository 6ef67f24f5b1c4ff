package dev.appliancesync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.Type;

import com.cedarpolicy.loader.LibraryLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.cloud.gateway.AwsCloudGateway;
import dev.appliancesync.deploy.ClassFiles.MethodRef;
import io.quarkus.util.GlobUtil;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.iot.IotClient;

/**
 * What the native executable is told about the code it cannot see statically (the files in {@link #METADATA}, the
 * native settings of application.properties, the Dockerfile's Cedar library, AwsSdkNativeSubstitutions), checked
 * against the jars it describes.
 *
 * <p>There is no GraalVM here, so nothing proves native-image accepts all this or that the executable runs. What is
 * proved: every class, method and resource named exists, with the signature given; the registrations are complete
 * against what can be read out of the libraries (Cedar's JNI lookups, from its native library; what Jackson binds in
 * cedar-java, from its annotations; the AWS SDK's reflective lookups and its references to classes that are not on
 * the class path, from its class files); and the Cedar library reaches the executable in a form cedar-java can load.
 */
class NativeImageConfigTest {

    static final Path METADATA = Path.of("src", "main", "resources", "META-INF", "native-image", "dev.appliancesync",
            "appliance-sync");
    private static final Path CEDAR = METADATA.resolve("cedar");
    private static final Path AWS_SDK = METADATA.resolve("aws-sdk");
    private static final Path RESOURCES = Path.of("src", "main", "resources");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClassLoader LOADER = NativeImageConfigTest.class.getClassLoader();
    /** Read once per run: each library is some 10 MB, the SDK some 9,000 classes. */
    private static final Map<String, String> CEDAR_LIBRARIES = new ConcurrentHashMap<>();
    private static List<ClassFiles.Method> awsSdkMethods;

    /** The architectures Linux builds of the image run on, by the names jne's directories (and uname -m) use. */
    private static final List<String> ARCHITECTURES = List.of("x86_64", "aarch64");
    private static final String CEDAR_LIBRARY = "libcedar_java_ffi.so";
    private static final String CEDAR_LIBRARY_VARIABLE = "CEDAR_JAVA_FFI_LIB";
    /** glibc of the runtime image by its tag: quarkus-micro-image 2.0 is UBI 8 micro. */
    private static final Map<String, String> RUNTIME_GLIBC = Map.of("2.0", "2.28");

    // --- Cedar --------------------------------------------------------------------------------------------------

    @Test
    void cedarsLibraryShipsBesideTheExecutableWhereCedarJavaLoadsItFrom() {
        // LibraryLoader loads the file the variable names (System.load), or else extracts the library with JNE, which
        // knows jar: and file: URLs and not the resource: URLs of a native executable.
        List<ClassFiles.Method> loader = ClassFiles.methods(LibraryLoader.class);
        assertThat(loader).flatMap(m -> m.strings()).contains(CEDAR_LIBRARY_VARIABLE);
        assertThat(loader).flatMap(m -> m.calls()).contains(
                new MethodRef("java/lang/System", "getenv", "(Ljava/lang/String;)Ljava/lang/String;"),
                new MethodRef("java/lang/System", "load", "(Ljava/lang/String;)V"));

        Dockerfile dockerfile = Dockerfile.parse(DeployFiles.DOCKERFILE);
        String extracted = "jne/linux/$(uname -m)/" + CEDAR_LIBRARY;
        String extraction = dockerfile.first().arguments("RUN").stream().filter(run -> run.contains(extracted))
                .findFirst().orElseThrow(() -> new AssertionError("the build stage extracts no " + extracted));
        for (String architecture : ARCHITECTURES) {
            assertThat(LOADER.getResource(extracted.replace("$(uname -m)", architecture))).as(architecture).isNotNull();
        }
        // From the cedar-java jar in Quarkus's native-image sources (lib/<groupId>.<file name>): the executable's.
        Matcher jar = Pattern.compile("-native-image-source-jar/lib/(\\S+\\.jar)").matcher(extraction);
        assertThat(jar.find()).as("the jar the build stage extracts from: %s", extraction).isTrue();
        String cedarJar = "com.cedarpolicy." + ClassFiles.location(LibraryLoader.class).getFileName();
        assertThat(FileSystems.getDefault().getPathMatcher("glob:" + jar.group(1)).matches(Path.of(cedarJar)))
                .as("%s matches %s", jar.group(1), cedarJar).isTrue();

        String path = dockerfile.last().arguments("ENV").stream().filter(e -> e.startsWith(CEDAR_LIBRARY_VARIABLE + "="))
                .map(e -> e.substring(CEDAR_LIBRARY_VARIABLE.length() + 1)).findFirst()
                .orElseThrow(() -> new AssertionError("the runtime image does not set " + CEDAR_LIBRARY_VARIABLE));
        assertThat(dockerfile.last().arguments("COPY")).anySatisfy(copy -> assertThat(copy).contains("--from=build")
                .contains("/code/target/" + CEDAR_LIBRARY).endsWith(" " + path));
    }

    @Test
    void cedarsLibraryNeedsNoNewerGlibcThanTheRuntimeImage() {
        String tag = Dockerfile.image(Dockerfile.parse(DeployFiles.DOCKERFILE).last().from()).replaceFirst(".*:", "");
        assertThat(RUNTIME_GLIBC).as("glibc of quarkus-micro-image:%s", tag).containsKey(tag);
        int[] available = version(RUNTIME_GLIBC.get(tag));
        for (String architecture : ARCHITECTURES) {
            Matcher needed = Pattern.compile("GLIBC_(2\\.\\d+(?:\\.\\d+)?)").matcher(cedarLibrary(architecture));
            List<String> versions = new ArrayList<>();
            while (needed.find()) {
                versions.add(needed.group(1));
            }
            assertThat(versions).as(architecture).isNotEmpty()
                    .allSatisfy(v -> assertThat(Arrays.compare(version(v), available)).as("GLIBC_%s", v).isLessThanOrEqualTo(0));
        }
    }

    @Test
    void jniRegistrationIsWhatCedarsLibraryLooksUp() {
        Map<String, Class<?>> classes = new TreeMap<>();
        Set<String> descriptors = new TreeSet<>();
        for (JsonNode entry : json(CEDAR.resolve("jni-config.json"))) {
            Class<?> type = load(entry.get("name").asText());
            classes.put(type.getName().replace('.', '/'), type);
            for (JsonNode method : entry.path("methods")) {
                Executable executable = declared(type, method);
                String descriptor = executable instanceof Method m ? Type.getMethodDescriptor(m)
                        : Type.getConstructorDescriptor((java.lang.reflect.Constructor<?>) executable);
                descriptors.add(descriptor);
                for (String architecture : ARCHITECTURES) {
                    // The Rust code passes each lookup its name and JNI descriptor as literals.
                    String library = cedarLibrary(architecture);
                    assertThat(library).as("%s in the %s library", executable, architecture).contains(descriptor);
                    if (executable instanceof Method m) {
                        assertThat(library).as("%s in the %s library", executable, architecture).contains(m.getName());
                    }
                }
            }
        }
        for (String architecture : ARCHITECTURES) {
            String library = cedarLibrary(architecture);
            assertThat(classes.keySet()).as("classes the %s library names", architecture)
                    .containsAll(classesNamedIn(library));
            assertThat(descriptors).as("object-typed JNI descriptors in the %s library", architecture)
                    .containsAll(objectDescriptorsIn(library));
        }
    }

    @Test
    void reflectionRegistrationIsWhatJacksonBindsInCedarJava() {
        Set<String> bound = new TreeSet<>();
        for (String name : ClassFiles.classNames(ClassFiles.location(LibraryLoader.class))) {
            Class<?> type = load(name);
            List<AnnotatedElement> elements = new ArrayList<>(List.of(type));
            elements.addAll(List.of(type.getDeclaredFields()));
            elements.addAll(List.of(type.getDeclaredMethods()));
            elements.addAll(List.of(type.getDeclaredConstructors()));
            List<Annotation> jackson = new ArrayList<>();
            for (AnnotatedElement element : elements) {
                jackson.addAll(jackson(element.getDeclaredAnnotations()));
                if (element instanceof Executable executable) {
                    Arrays.stream(executable.getParameterAnnotations()).forEach(a -> jackson.addAll(jackson(a)));
                }
            }
            if (!jackson.isEmpty()) {
                bound.add(type.getName());
            }
            // Classes an annotation names (@JsonDeserialize(using = ...)), which Jackson instantiates.
            for (Annotation annotation : jackson) {
                for (Method member : annotation.annotationType().getDeclaredMethods()) {
                    if (member.getReturnType() == Class.class && invoke(member, annotation) instanceof Class<?> named
                            && named.getName().startsWith("com.cedarpolicy.")) {
                        bound.add(named.getName());
                    }
                }
            }
        }
        Set<String> registered = new TreeSet<>();
        for (JsonNode entry : json(CEDAR.resolve("reflect-config.json"))) {
            registered.add(entry.get("name").asText());
            for (String all : List.of("allDeclaredConstructors", "allDeclaredMethods", "allDeclaredFields")) {
                assertThat(entry.path(all).asBoolean()).as("%s of %s", all, entry.get("name")).isTrue();
            }
        }
        assertThat(registered).isEqualTo(bound);
    }

    @Test
    void classesThatLoadCedarsLibraryInitializeAtRunTimeAndNoOtherStaticInitializerTouchesThem() {
        Set<String> loading = new TreeSet<>();
        for (String name : ClassFiles.classNames(ClassFiles.location(LibraryLoader.class))) {
            if (Arrays.stream(load(name).getDeclaredMethods()).anyMatch(m -> Modifier.isNative(m.getModifiers()))) {
                loading.add(name);
            }
        }
        // Their static initializers load the library (LibraryLoader.loadLibrary): a class of cedar-java without native
        // methods that did so too would be missed here, and shows up as a LibraryLoader caller below.
        Set<String> callers = new TreeSet<>();
        for (ClassFiles.Method method : ClassFiles.methods(ClassFiles.location(LibraryLoader.class))) {
            if (method.calls().stream().anyMatch(c -> c.owner().equals("com/cedarpolicy/loader/LibraryLoader"))) {
                callers.add(method.ref().owner().replace('/', '.'));
            }
        }
        assertThat(loading).isEqualTo(callers);
        assertThat(runTimeInitialized(CEDAR)).isEqualTo(loading);

        // Quarkus initializes every other class at build time: a static initializer that used one of these (ours or
        // the rest of cedar-java's) would load the library in the builder, not in the executable.
        Set<String> internal = new HashSet<>(loading.stream().map(n -> n.replace('.', '/')).toList());
        List<String> touching = new ArrayList<>();
        for (Path classes : List.of(ClassFiles.location(Authorizer.class), ClassFiles.location(LibraryLoader.class))) {
            for (ClassFiles.Method method : ClassFiles.methods(classes)) {
                if (method.ref().name().equals("<clinit>") && !internal.contains(method.ref().owner())
                        && method.classes().stream().anyMatch(internal::contains)) {
                    touching.add(method.ref().owner());
                }
            }
        }
        assertThat(touching).as("static initializers that use a class loading Cedar's library").isEmpty();
    }

    // --- AWS SDK ------------------------------------------------------------------------------------------------

    /**
     * Every place in the AWS SDK jars that looks up a class, member or resource by name, and why none needs a
     * registration: native-image sees none of these targets unless told, so each must be either covered by the SDK's
     * own metadata or off the service's path (IoT Core and Cognito JSON calls, SigV4, url-connection-client, the
     * default credentials chain).
     */
    private static final Map<String, String> AWS_SDK_DYNAMIC_LOOKUPS = Map.ofEntries(
            Map.entry("software.amazon.awssdk.auth.credentials.internal.ProfileCredentialsUtils",
                    "profiles' SSO and sign-in credential providers, from modules the service does not include"),
            Map.entry("software.amazon.awssdk.auth.credentials.internal.WebIdentityCredentialsUtils",
                    "web identity credentials through the STS module, which the service does not include (docs/deployment.md)"),
            Map.entry("software.amazon.awssdk.auth.token.internal.ProfileTokenProviderLoader",
                    "SSO bearer tokens from profiles; IoT Core and Cognito calls are SigV4-signed"),
            Map.entry("software.amazon.awssdk.auth.signer.SignerLoader",
                    "pre-SRA signers (CRT, S3) by name; the clients sign through http-auth-aws"),
            Map.entry("software.amazon.awssdk.checksums.internal.ChecksumProvider",
                    "flexible checksums, which no IoT Core or Cognito operation has; probes for the CRT"),
            Map.entry("software.amazon.awssdk.checksums.internal.ConstructorCache",
                    "flexible checksums: java.util.zip.CRC32C by reflection, the SDK's own CRC32C if that fails"),
            Map.entry("software.amazon.awssdk.checksums.internal.CrcCloneOnMarkChecksum",
                    "flexible checksums: clones a CRT checksum by reflection"),
            Map.entry("software.amazon.awssdk.core.internal.util.HttpChecksumUtils",
                    "flexible checksums: probes for the CRT"),
            Map.entry("software.amazon.awssdk.core.interceptor.ClasspathInterceptorChainFactory",
                    "execution.interceptors resources (sdk-core's metadata includes them); our modules have none"),
            Map.entry("software.amazon.awssdk.core.internal.useragent.UserAgentLangValues",
                    "probes for Kotlin, Scala and other JVM languages for the User-Agent; absent here as on the JVM"),
            Map.entry("software.amazon.awssdk.core.internal.http.loader.SdkServiceLoader",
                    "finds an HTTP client by ServiceLoader when none is given; AwsCloudGateway gives one"),
            Map.entry("software.amazon.awssdk.core.internal.http.loader.SystemPropertyHttpServiceProvider",
                    "an HTTP client named by a system property, when none is given; AwsCloudGateway gives one"),
            Map.entry("software.amazon.awssdk.core.internal.util.ClassLoaderHelper",
                    "sdk-core's Class.forName helper; its callers are listed here"),
            Map.entry("software.amazon.awssdk.utils.ClassLoaderHelper",
                    "utils' Class.forName helper; its callers are listed here"),
            Map.entry("software.amazon.awssdk.utils.DependencyValidate",
                    "checks that an optional module (CRT, event streams) is there before a feature that needs it"),
            Map.entry("software.amazon.awssdk.utils.ReflectionMethodInvoker",
                    "a reflection utility that nothing in these SDK modules calls"),
            Map.entry("software.amazon.awssdk.core.internal.util.Mimetype",
                    "mime.types, to guess an upload's content type (S3); JSON API calls never ask"),
            Map.entry("software.amazon.awssdk.thirdparty.jackson.core.util.VersionUtil",
                    "the shaded Jackson's version lookup, which the SDK's JSON parsing never makes"),
            Map.entry("software.amazon.awssdk.services.iot.endpoints.internal.DefaultPartitionDataProvider",
                    "an optional partitions.json; without one the generated partition data is used, as on the JVM"),
            Map.entry("software.amazon.awssdk.services.cognitoidentityprovider.endpoints.internal.DefaultPartitionDataProvider",
                    "an optional partitions.json; without one the generated partition data is used, as on the JVM"),
            Map.entry("software.amazon.awssdk.services.cognitoidentity.endpoints.internal.DefaultPartitionDataProvider",
                    "an optional partitions.json; without one the generated partition data is used, as on the JVM"),
            Map.entry("software.amazon.awssdk.core.internal.warmup.WarmUpServiceLoader",
                    "SdkWarmUp's providers by ServiceLoader; only an explicit SdkWarmUp call (priming) runs it, we make none"));

    /** Calls that look something up by name: reflection, resources, ServiceLoader, and the SDK's own helpers. */
    private static final Pattern DYNAMIC_LOOKUP = Pattern.compile(String.join("|",
            "java/lang/Class\\.(forName|newInstance|get(Declared)?(Method|Constructor|Field)s?|getResource(AsStream)?)",
            "java/lang/ClassLoader\\.(loadClass|getResources?|getResourceAsStream|getSystemResource(AsStream)?)",
            "java/util/ServiceLoader\\.load(Installed)?", "java/lang/reflect/Proxy\\.newProxyInstance",
            "java/lang/invoke/MethodHandles\\$Lookup\\.find\\w*",
            "software/amazon/awssdk/(core/internal/)?utils?/ClassLoaderHelper\\.loadClass"));

    @Test
    void awsSdkLooksUpNothingByNameOnTheServicesPath() {
        Set<String> looking = new TreeSet<>();
        for (ClassFiles.Method method : awsSdkMethods()) {
            if (method.calls().stream().anyMatch(c -> DYNAMIC_LOOKUP.matcher(c.owner() + "." + c.name()).matches())) {
                looking.add(method.ref().owner().replace('/', '.'));
            }
        }
        assertThat(looking).as("AWS SDK classes that look things up by name (review each new one)")
                .isEqualTo(AWS_SDK_DYNAMIC_LOOKUPS.keySet());

        // Which the reasons above rely on: the gateway gives each client its HTTP client, and the SDK's metadata.
        List<MethodRef> gatewayCalls = ClassFiles.methods(AwsCloudGateway.class).stream()
                .flatMap(m -> m.calls().stream()).toList();
        assertThat(gatewayCalls).anySatisfy(call -> {
            assertThat(call.name()).isEqualTo("httpClientBuilder");
            assertThat(call.descriptor()).startsWith("(Lsoftware/amazon/awssdk/http/SdkHttpClient$Builder;)");
        });
        assertThat(gatewayCalls).anySatisfy(call -> assertThat(call.owner() + "." + call.name())
                .isEqualTo(Type.getInternalName(UrlConnectionHttpClient.class) + ".builder"));
        assertThat(resource("META-INF/native-image/software.amazon.awssdk/sdk-core/resource-config.json"))
                .contains("execution.interceptors");
        assertThat(resource("META-INF/native-image/software.amazon.awssdk/sdk-core/native-image.properties"))
                .contains("--enable-url-protocols=https");
    }

    @Test
    void awsSdkMethodsNamingAbsentClassesAreReachedOnlyThroughOurSubstitutions() throws Exception {
        Class<?> substitutions = load("dev.appliancesync.cloud.gateway.AwsSdkNativeSubstitutions");
        Set<MethodRef> substituted = new HashSet<>();
        for (Class<?> target : substitutions.getDeclaredClasses()) {
            Class<?> original = target.getAnnotation(TargetClass.class).value();
            for (Method method : target.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Substitute.class)) {
                    MethodRef ref = new MethodRef(Type.getInternalName(original), method.getName(),
                            Type.getMethodDescriptor(method));
                    // The same static method: same name, parameters and result.
                    Method replaced = original.getDeclaredMethod(method.getName(), method.getParameterTypes());
                    assertThat(Type.getMethodDescriptor(replaced)).as(ref.toString()).isEqualTo(ref.descriptor());
                    assertThat(Modifier.isStatic(replaced.getModifiers())).as(ref.toString()).isTrue();
                    substituted.add(ref);
                }
            }
        }
        assertThat(substituted).isNotEmpty();
        // They replace what the SDK does without the CRT; with it on the class path they would be wrong.
        assertThat(ClassFiles.exists("software/amazon/awssdk/crt/CRT")).as("the AWS CRT on the class path").isFalse();
        assertThat(ClassFiles.exists("software/amazon/awssdk/http/auth/aws/crt/HttpAuthAwsCrt")).isFalse();

        // Quarkus builds with --link-at-build-time: a reachable method that names a class the class path lacks
        // fails the build. Static analysis reaches a method through its callers and, for an instance method, only
        // once something creates its class; a method whose every such path passes through a substituted method is
        // never reached. A method with no caller in the SDK counts as reachable (the application may call it).
        Map<MethodRef, ClassFiles.Method> methods = new HashMap<>();
        Map<MethodRef, List<MethodRef>> callers = new HashMap<>();
        Map<String, List<MethodRef>> creators = new HashMap<>();
        for (ClassFiles.Method method : awsSdkMethods()) {
            methods.put(method.ref(), method);
            for (MethodRef call : method.calls()) {
                callers.computeIfAbsent(call, c -> new ArrayList<>()).add(method.ref());
                // Not a constructor calling another of its class (this(...)): that creates nothing new.
                if (call.name().equals("<init>")
                        && !(method.ref().name().equals("<init>") && call.owner().equals(method.ref().owner()))) {
                    creators.computeIfAbsent(call.owner(), c -> new ArrayList<>()).add(method.ref());
                }
            }
        }
        Map<String, Boolean> present = new HashMap<>();
        methods.keySet().forEach(m -> present.put(m.owner(), true));
        Map<MethodRef, List<MethodRef>> unguarded = new LinkedHashMap<>();
        for (ClassFiles.Method method : methods.values()) {
            if (substituted.contains(method.ref())
                    || method.classes().stream().allMatch(c -> present.computeIfAbsent(c, ClassFiles::exists))) {
                continue;
            }
            // Walk back from the method towards anything that could start it, not through substituted methods.
            Map<MethodRef, MethodRef> via = new HashMap<>(Map.of(method.ref(), method.ref()));
            Deque<MethodRef> queue = new ArrayDeque<>(List.of(method.ref()));
            while (!queue.isEmpty()) {
                MethodRef current = queue.poll();
                ClassFiles.Method body = methods.get(current);
                List<MethodRef> entries = new ArrayList<>(callers.getOrDefault(current, List.of()));
                if (body != null && !body.isStatic() && !current.name().equals("<init>")) {
                    entries.addAll(creators.getOrDefault(current.owner(), List.of()));
                }
                if (entries.isEmpty()) {
                    unguarded.put(method.ref(), path(via, current));
                    break;
                }
                for (MethodRef entry : entries) {
                    if (!substituted.contains(entry) && via.putIfAbsent(entry, current) == null) {
                        queue.add(entry);
                    }
                }
            }
        }
        assertThat(unguarded).as("SDK methods naming absent classes, with a path to them that no substitution cuts")
                .isEmpty();
    }

    @Test
    void awsSdkClassesInitializedAtRunTimeHoldARandom() {
        Set<String> classes = runTimeInitialized(AWS_SDK);
        assertThat(classes).isNotEmpty();
        for (String name : classes) {
            assertThat(Arrays.stream(load(name).getDeclaredFields()).map(Field::getType)).as(name).contains(Random.class);
        }
    }

    // --- Our resources ------------------------------------------------------------------------------------------

    /** Files under src/main/resources that something other than quarkus.native.resources.includes takes care of. */
    private static final Map<String, String> RESOURCES_HANDLED_ELSEWHERE = Map.of(
            "application.properties", "Quarkus reads it while it builds and records the values",
            "db/migration/", "quarkus-flyway puts its locations in the image",
            "db/dev-migration/", "dev mode and tests only: the project jar leaves it out, so no production build has it",
            "META-INF/services/", "Quarkus registers the providers it finds (our ConfigSourceFactory)",
            "META-INF/native-image/", "native-image's own input");

    @Test
    void everyResourceTheServiceReadsIsInTheImageAndCedarsLibraryIsNot() throws IOException {
        String includes = ApplicationProperties.load().raw("prod", "quarkus.native.resources.includes")
                .orElseThrow(() -> new AssertionError("application.properties sets no quarkus.native.resources.includes"));
        List<Pattern> patterns = Arrays.stream(includes.split(",")).map(String::strip)
                .map(glob -> Pattern.compile(GlobUtil.toRegexPattern(glob))).toList();
        List<String> files;
        try (Stream<Path> walk = Files.walk(RESOURCES)) {
            files = walk.filter(Files::isRegularFile).map(f -> RESOURCES.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        }
        for (Pattern pattern : patterns) {
            assertThat(files).as("resources %s matches", pattern).anyMatch(f -> pattern.matcher(f).matches());
        }
        for (String file : files) {
            boolean included = patterns.stream().anyMatch(p -> p.matcher(file).matches());
            boolean elsewhere = RESOURCES_HANDLED_ELSEWHERE.keySet().stream().anyMatch(file::startsWith);
            assertThat(included || elsewhere).as("%s is in the native image", file).isTrue();
        }
        for (String architecture : ARCHITECTURES) {
            String library = "jne/linux/" + architecture + "/" + CEDAR_LIBRARY;
            assertThat(patterns).as(library).noneMatch(p -> p.matcher(library).matches());
        }
    }

    // --- Helpers ------------------------------------------------------------------------------------------------

    /** Every method in the AWS SDK's jars on the class path. */
    private static synchronized List<ClassFiles.Method> awsSdkMethods() {
        if (awsSdkMethods == null) {
            List<Path> jars = ClassFiles.jarsWith("software/amazon/awssdk/");
            assertThat(jars).contains(ClassFiles.location(SdkBytes.class), ClassFiles.location(IotClient.class),
                    ClassFiles.location(CognitoIdentityProviderClient.class),
                    ClassFiles.location(UrlConnectionHttpClient.class));
            awsSdkMethods = jars.stream().flatMap(jar -> ClassFiles.methods(jar).stream()).toList();
        }
        return awsSdkMethods;
    }

    /** The classes an {@code --initialize-at-run-time=} of the directory's native-image.properties names. */
    private static Set<String> runTimeInitialized(Path directory) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(directory.resolve("native-image.properties"), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> classes = new TreeSet<>();
        for (String argument : properties.getProperty("Args", "").split("\\s+")) {
            if (argument.startsWith("--initialize-at-run-time=")) {
                for (String name : argument.substring("--initialize-at-run-time=".length()).split(",")) {
                    classes.add(load(name).getName());
                }
            }
        }
        return classes;
    }

    /**
     * Classes a native library names outside JNI descriptors: what it finds with FindClass. Its string constants run
     * together, so each name is the longest prefix of the characters there that is a class.
     */
    private static Set<String> classesNamedIn(String library) {
        Set<String> names = new TreeSet<>();
        Matcher start = Pattern.compile("java/|javax/|com/cedarpolicy/").matcher(library);
        Pattern nameCharacters = Pattern.compile("[A-Za-z0-9_/$]+");
        while (start.find()) {
            Matcher run = nameCharacters.matcher(library).region(start.start(), library.length());
            if (!run.lookingAt()) {
                continue;
            }
            String characters = run.group();
            int end = start.start() + characters.length();
            if (start.start() > 0 && library.charAt(start.start() - 1) == 'L' && end < library.length()
                    && library.charAt(end) == ';') {
                continue;
            }
            for (int length = characters.length(); length > 0; length--) {
                if (ClassFiles.exists(characters.substring(0, length))) {
                    names.add(characters.substring(0, length));
                    break;
                }
            }
        }
        return names;
    }

    /** JNI method descriptors in a native library that take or return an object. */
    private static Set<String> objectDescriptorsIn(String library) {
        String type = "(?:\\[*(?:[ZBCSIJFD]|L[A-Za-z0-9_/$]+;))";
        Matcher descriptor = Pattern.compile("\\(" + type + "*\\)(?:" + type + "|V)").matcher(library);
        Set<String> descriptors = new TreeSet<>();
        while (descriptor.find()) {
            if (descriptor.group().contains(";")) {
                descriptors.add(descriptor.group());
            }
        }
        return descriptors;
    }

    /** Cedar's native library for a Linux architecture, as Latin-1 text (one character per byte). */
    private static String cedarLibrary(String architecture) {
        return CEDAR_LIBRARIES.computeIfAbsent(architecture, a -> resource("jne/linux/" + a + "/" + CEDAR_LIBRARY));
    }

    private static String resource(String name) {
        try (InputStream in = LOADER.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError(name + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A class by binary name, without initializing it (Cedar's would load their library). */
    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, LOADER);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(name + " is not on the class path", e);
        }
    }

    /** The constructor or method a JNI or reflection entry names, declared by the class itself. */
    private static Executable declared(Class<?> type, JsonNode method) {
        List<Class<?>> parameters = new ArrayList<>();
        for (JsonNode parameter : method.path("parameterTypes")) {
            parameters.add(switch (parameter.asText()) {
                case "boolean" -> boolean.class;
                case "byte" -> byte.class;
                case "char" -> char.class;
                case "short" -> short.class;
                case "int" -> int.class;
                case "long" -> long.class;
                case "float" -> float.class;
                case "double" -> double.class;
                default -> load(parameter.asText());
            });
        }
        Class<?>[] types = parameters.toArray(Class<?>[]::new);
        try {
            String name = method.get("name").asText();
            return name.equals("<init>") ? type.getDeclaredConstructor(types) : type.getDeclaredMethod(name, types);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(type.getName() + " declares no " + method, e);
        }
    }

    private static List<Annotation> jackson(Annotation[] annotations) {
        return Arrays.stream(annotations).filter(a -> a.annotationType().getName().startsWith("com.fasterxml.jackson."))
                .toList();
    }

    private static Object invoke(Method member, Annotation annotation) {
        try {
            return member.invoke(annotation);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] version(String dotted) {
        return Arrays.stream(dotted.split("\\.")).mapToInt(Integer::parseInt).toArray();
    }

    /** The chain of callers from {@code start} back to the method the walk began at. */
    private static List<MethodRef> path(Map<MethodRef, MethodRef> via, MethodRef start) {
        List<MethodRef> path = new ArrayList<>(List.of(start));
        for (MethodRef current = start; !via.get(current).equals(current); current = via.get(current)) {
            path.add(via.get(current));
        }
        return path;
    }
}
