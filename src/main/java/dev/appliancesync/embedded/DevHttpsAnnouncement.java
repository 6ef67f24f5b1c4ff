package dev.appliancesync.embedded;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.vertx.http.HttpsServerStart;

/** Says at start where an AWS Amplify app points in dev mode: the HTTPS address and the certificate to trust. */
@ApplicationScoped
public class DevHttpsAnnouncement {

    private static final Logger LOG = Logger.getLogger(DevHttpsAnnouncement.class);

    private final Optional<String> certificate;
    private final String rootPath;

    public DevHttpsAnnouncement(
            @ConfigProperty(name = EmbeddedServicesConfigFactory.TLS_CERTIFICATE) Optional<String> certificate,
            @ConfigProperty(name = "quarkus.smallrye-graphql.root-path") String rootPath) {
        this.certificate = certificate;
        this.rootPath = rootPath;
    }

    /** Once the HTTPS server listens (only the dev certificate's is announced; production's is the operator's). */
    void announce(@ObservesAsync HttpsServerStart started) {
        int port = started.options().getPort();
        certificate.ifPresent(pem -> LOG.infof("HTTPS for AWS Amplify apps: https://localhost:%s%s (realtime "
                + "wss://localhost:%s%s/realtime); self-signed certificate to trust: %s",
                port > 0 ? port : "<port>", rootPath, port > 0 ? port : "<port>", rootPath, pem));
    }
}
