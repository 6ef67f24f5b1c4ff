package dev.appliancesync.embedded;

/** Something the service started for itself because nothing external was configured. */
public interface EmbeddedServer {

    String name();

    void stop();
}
