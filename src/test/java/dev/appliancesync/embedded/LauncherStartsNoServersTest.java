package dev.appliancesync.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.appliancesync.identity.dev.DevIssuerServer;

/**
 * The JUnit launcher reads the test configuration (embedded servers on) before any application starts, in the class
 * loader this plain test runs in; every {@code @QuarkusTest} application starts its own servers in its own class loader.
 * Servers started for the launcher's reading would serve nobody for the whole run, so none may be: this JVM's
 * registry of embedded servers, the one the launcher's reading would fill, stays empty.
 */
class LauncherStartsNoServersTest {

    @Test
    void readingTheTestConfigurationOutsideAnApplicationStartsNoServer() {
        assertThat(ConfigProvider.getConfig().getOptionalValue(EmbeddedServicesConfigFactory.ENABLED, Boolean.class))
                .as("the configuration the launcher read asks for embedded servers").contains(true);
        assertThat(EmbeddedServices.find(EmbeddedPostgresServer.class)).isEmpty();
        assertThat(EmbeddedServices.find(EmbeddedMqttBroker.class)).isEmpty();
        assertThat(EmbeddedServices.find(DevIssuerServer.class)).isEmpty();
    }
}
