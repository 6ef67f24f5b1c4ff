package dev.appliancesync.cloud.gateway;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.internal.ChecksumProvider;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;
import software.amazon.awssdk.http.auth.aws.crt.internal.signer.DefaultAwsCrtV4aHttpSigner;
import software.amazon.awssdk.http.auth.aws.internal.signer.util.OptionalDependencyLoaderUtil;

/**
 * Native executable only (native-image applies these; the JVM never loads this class): the AWS SDK methods that use
 * the AWS Common Runtime, which the service does not include, replaced by what they do without it.
 *
 * <p>Quarkus builds with {@code --link-at-build-time}: every class a reachable method names must exist. These name
 * {@code software.amazon.awssdk.crt} classes, and the analysis can reach them from any client's request pipeline
 * (checksums, the SigV4a signer) even though IoT Core and Cognito calls never take those paths. Without the CRT the
 * originals only ever answer "not available" or throw, so that is all these do, and the CRT-based classes behind
 * them become unreachable; quarkus-amazon-services substitutes the same methods. NativeImageConfigTest checks that
 * every SDK method naming a missing class is reached only through these, and that each replaces a real SDK method.
 */
final class AwsSdkNativeSubstitutions {

    private static final String CRT_MODULE = "software.amazon.awssdk.crt:aws-crt";

    private AwsSdkNativeSubstitutions() {
    }

    @TargetClass(ChecksumProvider.class)
    static final class Target_ChecksumProvider {

        /** The CRT's CRC32C, asked for only when the JDK's cannot be made; without the CRT there is none. */
        @Substitute
        static SdkChecksum createCrtCrc32C() {
            return null;
        }

        @Substitute
        static SdkChecksum crc64NvmeCrtImplementation() {
            throw new RuntimeException("Could not load software.amazon.awssdk.crt.checksums.CRC64NVME. Add dependency on '"
                    + CRT_MODULE + "' module to enable CRC64NVME feature.");
        }

        @Substitute
        static SdkChecksum crtXxHash(ChecksumAlgorithm algorithm) {
            throw new RuntimeException(String.format("Could not load %s for algorithm: %s. Add dependency on '%s' module.",
                    "software.amazon.awssdk.crt.checksums.XXHash", algorithm.algorithmId(), CRT_MODULE));
        }
    }

    @TargetClass(OptionalDependencyLoaderUtil.class)
    static final class Target_OptionalDependencyLoaderUtil {

        /** SigV4a signing, which needs http-auth-aws-crt; IoT Core and Cognito sign with SigV4. */
        @Substitute
        static DefaultAwsCrtV4aHttpSigner getDefaultAwsCrtV4aHttpSigner() {
            throw new RuntimeException("Could not load class. You must add a dependency on the "
                    + "'software.amazon.awssdk:http-auth-aws-crt' module to enable the CRT-V4a signing feature");
        }
    }
}
