package dev.appliancesync.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for the servers these tests stop and start again at the same address (a service instance, a broker,
 * PostgreSQL), chosen below the kernel's ephemeral range.
 * <p>
 * A port the kernel hands out for {@code bind(0)} comes from that range, and so does the local port of every outgoing
 * connection: one picked that way and bound later (when the instance starts, or starts again after a kill) can be
 * taken meanwhile by any connection this machine opens, and the server then fails with "port in use". That happened
 * to AlarmTimersIT's second instance in a clean-clone CI run. The kernel never gives a connection a local port outside
 * the range, so a port below it stays free for as long as no other server takes it, and these are handed out in turn
 * per JVM, never twice.
 */
final class StablePorts {

    /** Linux's default range starts here; read from /proc where it can be. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LOWEST = 20000;
    private static final AtomicInteger NEXT = new AtomicInteger(
            LOWEST + ThreadLocalRandom.current().nextInt(Math.max(1, (ephemeralLow() - LOWEST) / 2)));

    private StablePorts() {
    }

    /** A port free on the loopback interface now, that nothing on this machine takes by itself later. */
    static int next() {
        int below = ephemeralLow();
        for (int tries = 0; tries < below - LOWEST; tries++) {
            int port = NEXT.getAndUpdate(p -> p + 1 >= below ? LOWEST : p + 1);
            if (isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free loopback port between " + LOWEST + " and " + below);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : DEFAULT_EPHEMERAL_LOW;
        } catch (IOException | RuntimeException notLinux) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
