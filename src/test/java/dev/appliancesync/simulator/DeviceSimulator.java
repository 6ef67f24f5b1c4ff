package dev.appliancesync.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * Simulated appliances publishing realistic device traffic to any MQTT broker (the service's embedded one in dev mode,
 * a local Mosquitto, ...), at a given total rate, as AWS IoT Core would deliver it to the service:
 * <ul>
 * <li>shadow {@code update/documents} on {@code <aws>/things/<thing>/shadow/update/documents} in IoT Core's format
 * ({@code previous}, {@code current} with {@code state.reported}, {@code state.desired}, {@code metadata} and
 * {@code version}, {@code timestamp}, {@code clientToken}); every device's versions increase by one per update, and the
 * reported state drifts the way its appliance type would (oven heating up, fridge door opening, ...);</li>
 * <li>now and then a lifecycle event: the device disconnects ({@code <aws>/events/presence/disconnected/<thing>}),
 * stays away a few seconds and connects again ({@code .../connected/<thing>});</li>
 * <li>now and then a device event on {@code appliances/<thing>/events}: DOOR_LEFT_OPEN, TEMPERATURE_ALARM,
 * PROGRAM_FINISHED, FILTER_CHANGE_DUE, LOW_BATTERY (never FACTORY_RESET, which would release claimed appliances).</li>
 * </ul>
 * With {@code --provision} every device first announces itself on {@code appliances/<thing>/provisioned} (type,
 * firmware, {@code claimCodeHash}), so that the service knows it: messages of unknown things are dead-lettered. The
 * serial number is the thing name, and the claim code is {@link #claimCode(String) "claim-" + serial}, so a
 * simulated appliance can be claimed in GraphiQL:
 * {@code claimAppliance(serialNumber: "SIM-00001", claimCode: "claim-SIM-00001")}.
 * <p>
 * Devices are spread over a few MQTT connections (one per device is unrealistic at high counts, and IoT Core delivers
 * all of it to the service anyway); every message is published with QoS 1 by default and counted as acknowledged on
 * its PUBACK. At most {@code max-inflight} messages per connection wait for their PUBACK: when the broker falls behind,
 * the simulator does too (and says so) instead of queuing without bound.
 * <p>
 * Options, as {@code --name=value} (or {@code --name value}) arguments or {@code -Dsim.name=value} system properties
 * (arguments win):
 * <table>
 * <caption>options</caption>
 * <tr><td>host, port</td><td>the broker (default localhost:1883, the dev-mode service's embedded broker)</td></tr>
 * <tr><td>devices</td><td>number of simulated appliances (default 100)</td></tr>
 * <tr><td>rate</td><td>messages per second, all devices together (default 50)</td></tr>
 * <tr><td>duration</td><td>seconds of traffic (default 60); 0 sends none (e.g. only {@code --provision}); -1 runs until
 * stopped (Ctrl-C)</td></tr>
 * <tr><td>aws-prefix</td><td>how IoT Core's reserved topics begin: {@code $aws} (default, IoT Core) or {@code aws} (the
 * embedded broker of dev mode and tests, which refuses {@code $} topics)</td></tr>
 * <tr><td>thing-prefix</td><td>thing names are {@code <prefix>-00001}, ... (default SIM); also the serial numbers</td></tr>
 * <tr><td>connections</td><td>MQTT connections the devices are spread over (default: one per 100 devices, at most
 * 8)</td></tr>
 * <tr><td>qos</td><td>0 or 1 (default 1, as devices and IoT Core use)</td></tr>
 * <tr><td>max-inflight</td><td>unacknowledged QoS 1 messages per connection at most (default 1000)</td></tr>
 * <tr><td>provision</td><td>flag: announce every device first and wait for the broker's PUBACKs</td></tr>
 * <tr><td>provision-rate</td><td>announcements per second (default 100; 0: as fast as the broker takes them, which
 * is a burst that a consumer without flow control may not survive)</td></tr>
 * <tr><td>start-version</td><td>the first shadow version is this plus one (default: tenths of seconds since
 * 2025-01-01, so a new run's versions are newer than an earlier run's as long as that one sent fewer than 10 updates per
 * device per second; the service keeps a shadow latest-wins by version and ignores older ones)</td></tr>
 * <tr><td>presence</td><td>share of messages that are a disconnect (each followed, 2 to 8 s later, by a connect)
 * (default 0.005)</td></tr>
 * <tr><td>events</td><td>share of messages that are device events (default 0.005)</td></tr>
 * <tr><td>stamp</td><td>flag: put the send time ({@code sentAtMicros}, epoch microseconds) into each shadow's reported
 * state, for latency measurements (IngestionBenchmark)</td></tr>
 * <tr><td>summary-file</td><td>write counts and every device's last shadow version there as JSON at the end</td></tr>
 * <tr><td>seed</td><td>random seed (default: random)</td></tr>
 * <tr><td>door-open</td><td>door mode (docs/alarms.md), seconds (default 0: off): fridges report seed 001's
 * {@code DoorOpened}, opening the door for this long, then closing it for {@value #DOOR_CLOSED_SECONDS} s, over and
 * over; every other fridge (the 2nd, 4th, ...) holds it open only a fifth as long, so its door closes before a rule
 * of more than that fires. Fridges open their doors at the first update after the start.</td></tr>
 * </table>
 * Run against the dev-mode service ({@code ./mvnw quarkus:dev}, embedded broker on port 1883):
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.appliancesync.simulator.DeviceSimulator \
 *     -Dexec.classpathScope=test -Dexec.args="--provision --aws-prefix=aws --devices=100 --rate=50 --duration=30"
 * </pre>
 *
 * Or with the test classpath directly: {@code java -cp <test classpath> dev.appliancesync.simulator.DeviceSimulator ...}.
 * Progress goes to standard output every 5 s; the last line starts with {@code DONE}.
 */
public final class DeviceSimulator {

    /** Printed when the traffic starts (after provisioning), with the epoch milliseconds. */
    public static final String SENDING = "SENDING at ";
    /** The last line, with the counts. */
    public static final String DONE = "DONE ";
    private static final String[] TYPES = { "MINI_OVEN", "FRIDGE", "COOKER", "SENSE", "GENERIC" };
    private static final long TICK_MILLIS = 5;
    private static final Instant VERSION_EPOCH = Instant.parse("2025-01-01T00:00:00Z");
    /** Door mode: how long a fridge's door stays closed between openings. */
    static final int DOOR_CLOSED_SECONDS = 15;

    /** The claim code printed on a simulated appliance: derived from its serial number, so anyone can claim it. */
    public static String claimCode(String serialNumber) {
        return "claim-" + serialNumber;
    }

    /** SHA-256 (hex) of the claim code, as a device announces it. */
    public static String claimCodeHash(String serialNumber) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(claimCode(serialNumber).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The thing name (and serial number) of device {@code index} (1-based). */
    public static String thingName(String prefix, int index) {
        return String.format(Locale.ROOT, "%s-%05d", prefix, index);
    }

    /** The options, see the class comment. */
    public record Options(String host, int port, int devices, double rate, double durationSeconds, String awsPrefix,
            String thingPrefix, int connections, int qos, int maxInflight, boolean provision, double provisionRate, long startVersion,
            double presenceShare, double eventShare, boolean stamp, Path summaryFile, long seed,
            double doorOpenSeconds) {

        public static Options parse(String... args) {
            Map<String, String> given = new HashMap<>();
            System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("sim."))
                    .forEach(name -> given.put(name.substring(4), System.getProperty(name)));
            List<String> all = new ArrayList<>();
            for (String arg : args) {
                // exec.args arrive as one string when quoted oddly; split on spaces between options.
                for (String part : arg.trim().split("\\s+")) {
                    if (!part.isEmpty()) {
                        all.add(part);
                    }
                }
            }
            for (int i = 0; i < all.size(); i++) {
                String arg = all.get(i);
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("Not an option: " + arg + " (options look like --devices=100)");
                }
                String name = arg.substring(2);
                String value;
                int equals = name.indexOf('=');
                if (equals >= 0) {
                    value = name.substring(equals + 1);
                    name = name.substring(0, equals);
                } else if (name.equals("provision") || name.equals("stamp") || name.equals("help")) {
                    value = "true";
                } else if (i + 1 < all.size()) {
                    value = all.get(++i);
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                given.put(name, value);
            }
            if (given.containsKey("help")) {
                throw new IllegalArgumentException("help");
            }
            List<String> known = List.of("host", "port", "devices", "rate", "duration", "aws-prefix", "thing-prefix",
                    "connections", "qos", "max-inflight", "provision", "provision-rate", "start-version", "presence", "events", "stamp",
                    "summary-file", "seed", "door-open");
            for (String name : given.keySet()) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("Unknown option --" + name + "; known: " + known);
                }
            }
            int devices = Integer.parseInt(given.getOrDefault("devices", "100"));
            int qos = Integer.parseInt(given.getOrDefault("qos", "1"));
            String aws = given.getOrDefault("aws-prefix", "$aws");
            String prefix = given.getOrDefault("thing-prefix", "SIM");
            if (devices < 1 || qos < 0 || qos > 1) {
                throw new IllegalArgumentException("--devices must be at least 1 and --qos 0 or 1");
            }
            if (!prefix.matches("[A-Za-z0-9_-]{1,50}")) {
                throw new IllegalArgumentException("--thing-prefix: letters, digits, '_' and '-' only");
            }
            int connections = Integer.parseInt(given.getOrDefault("connections",
                    Integer.toString(Math.min(8, Math.max(1, devices / 100)))));
            long defaultStart = ChronoUnit.MILLIS.between(VERSION_EPOCH, Instant.now()) / 100;
            return new Options(given.getOrDefault("host", "localhost"),
                    Integer.parseInt(given.getOrDefault("port", "1883")), devices,
                    Double.parseDouble(given.getOrDefault("rate", "50")),
                    Double.parseDouble(given.getOrDefault("duration", "60")), aws, prefix,
                    Math.max(1, Math.min(connections, devices)), qos,
                    Integer.parseInt(given.getOrDefault("max-inflight", "1000")),
                    Boolean.parseBoolean(given.getOrDefault("provision", "false")),
                    Double.parseDouble(given.getOrDefault("provision-rate", "100")),
                    Long.parseLong(given.getOrDefault("start-version", Long.toString(defaultStart))),
                    Double.parseDouble(given.getOrDefault("presence", "0.005")),
                    Double.parseDouble(given.getOrDefault("events", "0.005")),
                    Boolean.parseBoolean(given.getOrDefault("stamp", "false")),
                    given.containsKey("summary-file") ? Path.of(given.get("summary-file")) : null,
                    given.containsKey("seed") ? Long.parseLong(given.get("seed")) : System.nanoTime(),
                    Double.parseDouble(given.getOrDefault("door-open", "0")));
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println((e.getMessage().equals("help") ? "" : e.getMessage() + "\n\n")
                    + "Usage: DeviceSimulator [--host=localhost] [--port=1883] [--devices=100] [--rate=50] "
                    + "[--duration=60] [--aws-prefix=$aws|aws] [--thing-prefix=SIM] [--connections=N] [--qos=1] "
                    + "[--max-inflight=1000] [--provision] [--provision-rate=100] [--start-version=N] [--presence=0.005] [--events=0.005] "
                    + "[--stamp] [--summary-file=path] [--seed=N] [--door-open=S]  (see the class javadoc)");
            if (e.getMessage().equals("help")) {
                return;
            }
            throw e;
        }
        new DeviceSimulator(options).run();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private final Options options;
    private final Vertx vertx = Vertx.vertx();
    private final List<Link> links = new ArrayList<>();
    private final MqttQoS qos;

    public DeviceSimulator(Options options) {
        this.options = options;
        this.qos = options.qos() == 1 ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    }

    public void run() throws Exception {
        try {
            System.out.printf("Device simulator: %d devices (%s-00001...) over %d connections to %s:%d, QoS %d, "
                    + "IoT Core topics under '%s'%n", options.devices(), options.thingPrefix(), options.connections(),
                    options.host(), options.port(), options.qos(), options.awsPrefix());
            SplittableRandom seeds = new SplittableRandom(options.seed());
            for (int i = 0; i < options.connections(); i++) {
                links.add(new Link(i, seeds.split()));
            }
            for (int d = 1; d <= options.devices(); d++) {
                links.get((d - 1) % links.size()).devices.add(new Device(d, options, links.get((d - 1) % links.size()).random));
            }
            for (Link link : links) {
                link.connect().get(30, TimeUnit.SECONDS);
            }
            if (options.provision()) {
                provision();
            }
            if (options.durationSeconds() != 0) {
                traffic();
            } else {
                summary(0, 0);
            }
        } finally {
            for (Link link : links) {
                link.disconnect();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private void provision() throws Exception {
        long started = System.nanoTime();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Link link : links) {
            CompletableFuture<Void> announced = new CompletableFuture<>();
            link.context.runOnContext(ignored -> link.announceAll(announced));
            done.add(announced);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        System.out.printf("Provisioned %d devices in %.1f s (appliances/<thing>/provisioned; claim code of each: "
                + "claim-<serial>, e.g. %s)%n", options.devices(), (System.nanoTime() - started) / 1e9,
                claimCode(thingName(options.thingPrefix(), 1)));
    }

    private void traffic() throws Exception {
        // Load and warm the JSON encoder first, so that the rate is kept from the first second on.
        Device sample = links.get(0).devices.get(0);
        for (int i = 0; i < 2_000; i++) {
            new JsonObject().put("reported", sample.reported.copy()).put("metadata", sample.metadata.copy())
                    .put("presence", sample.presence(i % 2 == 0, System.currentTimeMillis())).toBuffer();
        }
        long startedNanos = System.nanoTime();
        System.out.println(SENDING + System.currentTimeMillis() + " (" + options.rate() + " msg/s for "
                + (options.durationSeconds() < 0 ? "ever" : options.durationSeconds() + " s") + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            links.forEach(link -> link.stopping = true);
            try {
                stopped.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        for (Link link : links) {
            link.onContext(() -> link.start(startedNanos, options.rate() / links.size()));
        }
        long endNanos = options.durationSeconds() < 0 ? Long.MAX_VALUE
                : startedNanos + (long) (options.durationSeconds() * 1e9);
        long lastReport = startedNanos;
        long lastIssued = 0;
        while (System.nanoTime() < endNanos && !links.get(0).stopping) {
            Thread.sleep(Math.max(1, Math.min(200, (endNanos - System.nanoTime()) / 1_000_000)));
            long now = System.nanoTime();
            if (now - lastReport >= 5_000_000_000L) {
                long issued = total(l -> l.issued.get());
                System.out.printf("%5.0f s: %.0f msg/s sent, %d sent, %d acknowledged, %d waiting for PUBACK%s%n",
                        (now - startedNanos) / 1e9, (issued - lastIssued) / ((now - lastReport) / 1e9), issued,
                        total(l -> l.acked.get()), total(l -> l.issued.get() - l.acked.get()),
                        total(l -> l.due) > 0 ? ", behind the rate by " + total(l -> l.due) + " messages" : "");
                lastReport = now;
                lastIssued = issued;
            }
        }
        for (Link link : links) {
            link.onContext(link::stop).get(10, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        // Every PUBACK, or give up after 30 s.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (options.qos() == 1 && total(l -> l.issued.get() - l.acked.get()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        double acknowledgedAfter = (System.nanoTime() - startedNanos) / 1e9;
        summary(seconds, acknowledgedAfter);
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and waits for us.
        }
    }

    private void summary(double seconds, double acknowledgedAfter) throws IOException {
        long shadows = total(l -> l.shadows), presence = total(l -> l.presence), events = total(l -> l.events);
        long issued = total(l -> l.issued.get()), acked = total(l -> l.acked.get());
        if (options.summaryFile() != null) {
            JsonObject versions = new JsonObject();
            for (Link link : links) {
                for (Device device : link.devices) {
                    if (device.version > options.startVersion()) {
                        versions.put(device.thing, device.version);
                    }
                }
            }
            JsonObject summary = new JsonObject().put("announced", total(l -> l.announced)).put("shadows", shadows).put("presence", presence)
                    .put("events", events).put("sent", issued).put("acknowledged", acked)
                    .put("failed", total(l -> l.failed)).put("seconds", seconds)
                    .put("acknowledgedAfterSeconds", acknowledgedAfter).put("lastVersions", versions);
            Files.writeString(options.summaryFile(), summary.encodePrettily());
        }
        System.out.printf("%ssent=%d acknowledged=%d failed=%d announcements=%d shadows=%d presence=%d events=%d; "
                + "traffic for %.1f s (%.0f msg/s; all acknowledged after %.1f s)%n", DONE, issued, acked,
                total(l -> l.failed), total(l -> l.announced), shadows, presence, events, seconds,
                seconds > 0 ? (issued - total(l -> l.announced)) / seconds : 0, acknowledgedAfter);
    }

    private long total(java.util.function.ToLongFunction<Link> count) {
        return links.stream().mapToLong(count).sum();
    }

    // ---- one MQTT connection and the devices on it; everything runs on the connection's Vert.x context ------------

    private final class Link {
        final int index;
        final SplittableRandom random;
        final List<Device> devices = new ArrayList<>();
        final AtomicLong issued = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        volatile long announced, shadows, presence, events, failed, skipped, due;
        volatile boolean stopping;
        MqttClient client;
        Context context;
        long timer = -1;
        int cursor;
        long startedNanos;
        double perSecond;

        Link(int index, SplittableRandom random) {
            this.index = index;
            this.random = random;
        }

        CompletableFuture<Void> connect() {
            context = vertx.getOrCreateContext();
            CompletableFuture<Void> connected = new CompletableFuture<>();
            context.runOnContext(ignored -> {
                client = MqttClient.create(vertx, new MqttClientOptions()
                        .setClientId(options.thingPrefix() + "-sim-" + index + "-" + UUID.randomUUID().toString().substring(0, 8))
                        .setCleanSession(true).setKeepAliveInterval(30).setAutoKeepAlive(true)
                        .setMaxInflightQueue(Math.max(10, options.maxInflight())).setMaxMessageSize(256 * 1024));
                client.publishCompletionHandler(id -> acked.incrementAndGet());
                client.publishCompletionExpirationHandler(id -> {
                    failed++;
                    acked.incrementAndGet();
                });
                client.closeHandler(closed -> {
                    if (!stopping) {
                        System.err.println("Connection " + index + " closed by the broker");
                        stopping = true;
                    }
                });
                client.connect(options.port(), options.host()).onComplete(result -> {
                    if (result.succeeded()) {
                        connected.complete(null);
                    } else {
                        connected.completeExceptionally(new IllegalStateException("Cannot connect to "
                                + options.host() + ":" + options.port() + ": " + result.cause(), result.cause()));
                    }
                });
            });
            return connected;
        }

        CompletableFuture<Void> onContext(Runnable action) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            context.runOnContext(ignored -> {
                try {
                    action.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
            return done;
        }

        /** Every device announces itself; at most max-inflight at a time. Runs on the context. */
        void announceAll(CompletableFuture<Void> all) {
            long target = acked.get() + devices.size();
            int[] next = { 0 };
            long started = System.nanoTime();
            double perSecond = options.provisionRate() / links.size();
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                long allowed = perSecond <= 0 ? Long.MAX_VALUE
                        : 1 + (long) (perSecond * (System.nanoTime() - started) / 1e9);
                while (next[0] < devices.size() && next[0] < allowed
                        && issued.get() - acked.get() < options.maxInflight()) {
                    Device device = devices.get(next[0]++);
                    announced++;
                    publish("appliances/" + device.thing + "/provisioned", new JsonObject()
                            .put("serialNumber", device.thing).put("type", device.type)
                            .put("firmwareVersion", device.firmware).put("claimCodeHash", claimCodeHash(device.thing)));
                }
                if (acked.get() >= target || options.qos() == 0 && next[0] >= devices.size()) {
                    all.complete(null);
                } else {
                    vertx.setTimer(2, t -> pump[0].run());
                }
            };
            pump[0].run();
        }

        void start(long startedNanos, double perSecond) {
            this.startedNanos = startedNanos;
            this.perSecond = perSecond;
            timer = vertx.setPeriodic(TICK_MILLIS, t -> tick());
        }

        void stop() {
            stopping = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }

        private void tick() {
            if (stopping) {
                return;
            }
            long now = System.currentTimeMillis();
            due = (long) (perSecond * (System.nanoTime() - startedNanos) / 1e9) - issued.get() - skipped;
            while (due > 0) {
                if (options.qos() == 1 && issued.get() - acked.get() >= options.maxInflight()) {
                    return; // the broker is behind: these stay due, and are reported as such
                }
                Device device = nextDevice(now);
                if (device == null) {
                    skipped++; // every device offline right now: nothing to send in this slot
                } else {
                    send(device, now);
                }
                due--;
            }
        }

        /** The next device that is online, or that may come back now. */
        private Device nextDevice(long now) {
            for (int tried = 0; tried < devices.size(); tried++) {
                Device device = devices.get(cursor);
                cursor = (cursor + 1) % devices.size();
                if (device.online || device.offlineUntil <= now) {
                    return device;
                }
            }
            return null;
        }

        private void send(Device device, long now) {
            String aws = options.awsPrefix();
            if (!device.online) {
                device.online = true;
                presence++;
                publish(aws + "/events/presence/connected/" + device.thing, device.presence(true, now));
                return;
            }
            double draw = random.nextDouble();
            if (draw < options.presenceShare()) {
                device.online = false;
                device.offlineUntil = now + 2_000 + random.nextInt(6_000);
                presence++;
                publish(aws + "/events/presence/disconnected/" + device.thing, device.presence(false, now));
            } else if (draw < options.presenceShare() + options.eventShare()) {
                events++;
                publish("appliances/" + device.thing + "/events", device.event(random, now));
            } else {
                shadows++;
                publish(aws + "/things/" + device.thing + "/shadow/update/documents",
                        device.update(random, now, options.stamp()));
            }
        }

        private void publish(String topic, JsonObject payload) {
            issued.incrementAndGet();
            client.publish(topic, payload.toBuffer(), qos, false, false).onComplete(result -> {
                if (result.failed()) {
                    failed++;
                    acked.incrementAndGet();
                    if (failed <= 5) {
                        System.err.println("Publish failed: " + result.cause());
                    }
                } else if (qos == MqttQoS.AT_MOST_ONCE) {
                    acked.incrementAndGet();
                }
            });
        }

        void disconnect() {
            if (client != null && client.isConnected()) {
                stopping = true;
                CompletableFuture<Void> done = new CompletableFuture<>();
                context.runOnContext(ignored -> client.disconnect().onComplete(r -> done.complete(null)));
                try {
                    done.get(5, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
    }

    // ---- one appliance: its shadow, drifting as its type would ---------------------------------------------------

    private static final class Device {
        final String thing;
        final String type;
        final String firmware;
        final String session = UUID.randomUUID().toString();
        long version;
        JsonObject reported;
        JsonObject desired;
        JsonObject metadata;
        boolean online = true;
        long offlineUntil;
        long events;
        /** Door mode: how long this fridge holds its door open (0: door mode off or not a fridge). */
        final long doorOpenMillis;
        /** Door mode: when the door next opens or closes (epoch ms; 0: at the first update). */
        long doorToggleAt;
        /** The time of the update being made, for the door's schedule. */
        long now;

        Device(int index, Options options, SplittableRandom random) {
            this.thing = thingName(options.thingPrefix(), index);
            this.type = TYPES[(index - 1) % TYPES.length];
            this.firmware = "2." + (index % 4) + "." + (index % 7);
            this.version = options.startVersion();
            int fridge = (index - 1) / TYPES.length; // the fridge's own number among fridges, from 0
            this.doorOpenMillis = !type.equals("FRIDGE") || options.doorOpenSeconds() <= 0 ? 0
                    : Math.round(options.doorOpenSeconds() * 1000 / (fridge % 2 == 0 ? 1 : 5));
            this.reported = initialReported(random);
            if (doorOpenMillis > 0) {
                reported.put("DoorOpened", false);
            }
            this.desired = initialDesired();
            long seconds = System.currentTimeMillis() / 1000;
            this.metadata = new JsonObject().put("reported", stamps(reported, seconds)).put("desired", stamps(desired, seconds));
        }

        private JsonObject initialReported(SplittableRandom random) {
            return switch (type) {
                case "MINI_OVEN" -> new JsonObject().put("status", "IDLE").put("temperatureC", 21.0)
                        .put("targetC", 180).put("doorOpen", false).put("timerSeconds", 0).put("lightOn", false);
                case "FRIDGE" -> new JsonObject().put("fridgeC", 4.0).put("freezerC", -18.0).put("doorOpen", false)
                        .put("ecoMode", random.nextBoolean()).put("iceMaker", "ON");
                case "COOKER" -> new JsonObject().put("status", "IDLE").put("program", "RICE").put("temperatureC", 22.0)
                        .put("pressureKpa", 0.0).put("remainingSeconds", 0);
                case "SENSE" -> new JsonObject().put("probeC", 20.0).put("batteryPercent", 60 + random.nextInt(40))
                        .put("rssi", -40 - random.nextInt(40)).put("connectedProbes", 1 + random.nextInt(4));
                default -> new JsonObject().put("power", "OFF").put("watts", 0.0).put("uptimeSeconds", 0);
            };
        }

        private JsonObject initialDesired() {
            return switch (type) {
                case "MINI_OVEN" -> new JsonObject().put("targetC", 180).put("mode", "BAKE");
                case "FRIDGE" -> new JsonObject().put("fridgeC", 4).put("freezerC", -18);
                case "COOKER" -> new JsonObject().put("program", "RICE");
                case "SENSE" -> new JsonObject().put("alarmAboveC", 75);
                default -> new JsonObject().put("power", "OFF");
            };
        }

        /** IoT Core's update/documents for the next version. */
        JsonObject update(SplittableRandom random, long now, boolean stamp) {
            JsonObject previous = new JsonObject()
                    .put("state", new JsonObject().put("reported", reported).put("desired", desired))
                    .put("metadata", metadata).put("version", version);
            reported = reported.copy();
            long seconds = now / 1000;
            this.now = now;
            JsonObject changed = drift(random);
            if (stamp) {
                reported.put("sentAtMicros", Math.addExact(Math.multiplyExact(now, 1000L), (System.nanoTime() / 1000) % 1000));
                changed.put("sentAtMicros", true);
            }
            JsonObject reportedStamps = metadata.getJsonObject("reported").copy();
            changed.fieldNames().forEach(field -> reportedStamps.put(field, new JsonObject().put("timestamp", seconds)));
            metadata = new JsonObject().put("reported", reportedStamps).put("desired", metadata.getJsonObject("desired"));
            version++;
            JsonObject current = new JsonObject()
                    .put("state", new JsonObject().put("reported", reported).put("desired", desired))
                    .put("metadata", metadata).put("version", version);
            return new JsonObject().put("previous", previous).put("current", current).put("timestamp", seconds)
                    .put("clientToken", thing + "-" + version);
        }

        /** Changes one or two reported fields; returns which. */
        private JsonObject drift(SplittableRandom random) {
            JsonObject changed = new JsonObject();
            switch (type) {
                case "MINI_OVEN" -> {
                    String status = reported.getString("status");
                    double t = reported.getDouble("temperatureC");
                    int target = reported.getInteger("targetC");
                    switch (status) {
                        case "IDLE" -> {
                            if (random.nextInt(10) == 0) {
                                set(changed, "status", "PREHEATING");
                            } else if (random.nextInt(5) == 0) {
                                set(changed, "doorOpen", !reported.getBoolean("doorOpen"));
                            } else {
                                set(changed, "temperatureC", round(Math.max(20, t - random.nextDouble() * 2)));
                            }
                        }
                        case "PREHEATING" -> {
                            t = Math.min(target, t + 5 + random.nextDouble() * 10);
                            set(changed, "temperatureC", round(t));
                            if (t >= target) {
                                set(changed, "status", "BAKING");
                                set(changed, "timerSeconds", 900 + random.nextInt(1800));
                            }
                        }
                        case "BAKING" -> {
                            int left = Math.max(0, reported.getInteger("timerSeconds") - 30 - random.nextInt(60));
                            set(changed, "timerSeconds", left);
                            set(changed, "temperatureC", round(target - 3 + random.nextDouble() * 6));
                            if (left == 0) {
                                set(changed, "status", "COOLING");
                            }
                        }
                        default -> {
                            t = Math.max(20, t - 8 - random.nextDouble() * 8);
                            set(changed, "temperatureC", round(t));
                            if (t <= 40) {
                                set(changed, "status", "IDLE");
                            }
                        }
                    }
                }
                case "FRIDGE" -> {
                    if (doorOpenMillis > 0) {
                        doorOnSchedule(changed);
                    } else if (random.nextInt(8) == 0) {
                        set(changed, "doorOpen", !reported.getBoolean("doorOpen"));
                    }
                    double drift = reported.getBoolean("doorOpen") ? 0.4 : -0.2;
                    set(changed, "fridgeC", round(Math.max(2, Math.min(12, reported.getDouble("fridgeC") + drift
                            + (random.nextDouble() - 0.5) * 0.3))));
                    if (random.nextInt(4) == 0) {
                        set(changed, "freezerC", round(-18 + (random.nextDouble() - 0.5) * 2));
                    }
                }
                case "COOKER" -> {
                    String status = reported.getString("status");
                    if (status.equals("IDLE")) {
                        if (random.nextInt(12) == 0) {
                            set(changed, "status", "COOKING");
                            set(changed, "remainingSeconds", 1200 + random.nextInt(1200));
                        } else {
                            set(changed, "temperatureC", round(22 + random.nextDouble()));
                        }
                    } else {
                        int left = Math.max(0, reported.getInteger("remainingSeconds") - 60);
                        set(changed, "remainingSeconds", left);
                        set(changed, "temperatureC", round(95 + random.nextDouble() * 25));
                        set(changed, "pressureKpa", round(left == 0 ? 0 : 60 + random.nextDouble() * 20));
                        if (left == 0) {
                            set(changed, "status", "IDLE");
                        }
                    }
                }
                case "SENSE" -> {
                    set(changed, "probeC", round(Math.max(0, Math.min(100, reported.getDouble("probeC")
                            + (random.nextDouble() - 0.3) * 3))));
                    if (random.nextInt(20) == 0) {
                        set(changed, "batteryPercent", Math.max(1, reported.getInteger("batteryPercent") - 1));
                    }
                    if (random.nextInt(5) == 0) {
                        set(changed, "rssi", -40 - random.nextInt(40));
                    }
                }
                default -> {
                    boolean on = reported.getString("power").equals("ON");
                    if (random.nextInt(15) == 0) {
                        on = !on;
                        set(changed, "power", on ? "ON" : "OFF");
                    }
                    set(changed, "watts", on ? round(800 + random.nextDouble() * 400) : 0.0);
                    set(changed, "uptimeSeconds", reported.getInteger("uptimeSeconds") + 30);
                }
            }
            return changed;
        }

        /** Door mode: opens or closes the door when its time has come (at this device's next update after it). */
        private void doorOnSchedule(JsonObject changed) {
            if (now < doorToggleAt) {
                return;
            }
            boolean open = !reported.getBoolean("DoorOpened");
            set(changed, "DoorOpened", open);
            doorToggleAt = now + (open ? doorOpenMillis : DOOR_CLOSED_SECONDS * 1000L);
        }

        private void set(JsonObject changed, String field, Object value) {
            reported.put(field, value);
            changed.put(field, true);
        }

        JsonObject presence(boolean connected, long now) {
            JsonObject event = new JsonObject().put("clientId", thing).put("timestamp", now)
                    .put("eventType", connected ? "connected" : "disconnected")
                    .put("sessionIdentifier", session).put("principalIdentifier", thing + "-certificate")
                    .put("versionNumber", version);
            if (connected) {
                event.put("ipAddress", "192.0.2." + (1 + Math.floorMod(thing.hashCode(), 254)));
            } else {
                event.put("clientInitiatedDisconnect", false).put("disconnectReason", "CONNECTION_LOST");
            }
            return event;
        }

        JsonObject event(SplittableRandom random, long now) {
            String kind = switch (type) {
                case "MINI_OVEN" -> random.nextBoolean() ? "DOOR_LEFT_OPEN" : "PROGRAM_FINISHED";
                case "FRIDGE" -> random.nextInt(3) == 0 ? "FILTER_CHANGE_DUE" : "DOOR_LEFT_OPEN";
                case "COOKER" -> random.nextBoolean() ? "PROGRAM_FINISHED" : "TEMPERATURE_ALARM";
                case "SENSE" -> random.nextBoolean() ? "LOW_BATTERY" : "TEMPERATURE_ALARM";
                default -> "TEMPERATURE_ALARM";
            };
            events++;
            return new JsonObject().put("eventId", thing + "-" + session.substring(0, 8) + "-" + events)
                    .put("type", kind)
                    .put("occurredAt", OffsetDateTime.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC).toString())
                    .put("details", new JsonObject().put("shadowVersion", version).put("reported", reported));
        }

        private static JsonObject stamps(JsonObject state, long seconds) {
            JsonObject stamps = new JsonObject();
            state.fieldNames().forEach(field -> stamps.put(field, new JsonObject().put("timestamp", seconds)));
            return stamps;
        }

        private static double round(double value) {
            return Math.round(value * 10) / 10.0;
        }
    }
}
