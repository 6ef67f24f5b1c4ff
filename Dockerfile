# syntax=docker/dockerfile:1
# appliance-sync as a native executable on a minimal base (the production image).
#
#   docker build -t appliance-sync:native .
#
# The JVM image (faster to build, no native-image step) is Dockerfile.jvm. Neither has been built on the machines this
# project is developed on (no container engine there): see docs/deployment.md for what was and was not checked.

# --- Stage 1: the native executable ------------------------------------------------------------------------------
# Mandrel 23.1 is GraalVM for JDK 21, the release the project compiles for and the oldest native-image Quarkus 3.34
# still supports. A release tag, not the moving jdk-21 one, so that rebuilding the same commit uses the same compiler.
# This UBI 8 builder pairs with the UBI 8 micro image below: the executable links against the builder's glibc.
FROM quay.io/quarkus/ubi-quarkus-mandrel-builder-image:23.1.8.0-Final-java21 AS build
USER quarkus
WORKDIR /code
# The wrapper and the POM first: the layer with Maven and every dependency (quarkus:go-offline also resolves the
# extensions' build-time artifacts) is reused until the POM changes, not rebuilt for every source change.
COPY --chown=quarkus:quarkus mvnw pom.xml ./
COPY --chown=quarkus:quarkus .mvn/ .mvn/
RUN ./mvnw -B -q -Pnative quarkus:go-offline
COPY --chown=quarkus:quarkus src/ src/
# native-image needs several GB of memory for this application: give the builder 8 GB if it runs out.
RUN ./mvnw -B -Pnative package -DskipTests
# Cedar's native library for this machine's architecture (uname -m names jne's directories: x86_64, aarch64), out of
# the cedar-java jar the executable was built with. cedar-java cannot load it from inside a native executable, so it
# ships beside it (see CEDAR_JAVA_FFI_LIB below).
RUN cd target && jar xf *-native-image-source-jar/lib/com.cedarpolicy.cedar-java-*-uber.jar \
        "jne/linux/$(uname -m)/libcedar_java_ffi.so" \
    && mv "jne/linux/$(uname -m)/libcedar_java_ffi.so" .

# --- Stage 2: the runtime image ----------------------------------------------------------------------------------
# quarkus-micro-image is UBI 8 micro plus the few libraries a Quarkus native executable loads (glibc, zlib, ...):
# no package manager, no JDK, little for a vulnerability scanner to find.
FROM quay.io/quarkus/quarkus-micro-image:2.0
WORKDIR /work/
# uid 1001 owns nothing but the executable's directory; group 0 as well, so that platforms that run containers under
# an arbitrary uid in group 0 (OpenShift) work too.
RUN chown 1001:0 /work && chmod g+rwX /work
COPY --from=build --chown=1001:0 --chmod=0755 /code/target/*-runner /work/application
COPY --from=build --chown=1001:0 --chmod=0644 /code/target/libcedar_java_ffi.so /work/libcedar_java_ffi.so
# cedar-java's LibraryLoader loads the library from this file instead of extracting it from its jar, which a native
# executable does not have.
ENV CEDAR_JAVA_FFI_LIB=/work/libcedar_java_ffi.so
# Never root: the Kubernetes Deployment also says runAsNonRoot, which needs a numeric USER to check.
USER 1001
# The service's HTTP port (quarkus.http.port): GraphQL and WebSocket subscriptions; and its management port
# (quarkus.management.port): health and metrics, for probes and scrapers only, never published to the internet.
EXPOSE 8080 9000
# All settings come from the environment (docs/configuration.md); 0.0.0.0 is already the prod default.
ENTRYPOINT ["./application"]
