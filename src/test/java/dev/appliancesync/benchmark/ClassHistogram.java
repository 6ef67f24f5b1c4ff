package dev.appliancesync.benchmark;

import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * This JVM's live objects by class (the {@code GC.class_histogram} diagnostic command, which runs a full GC first, as
 * {@code jmap -histo:live} does), so a benchmark can say which classes a number of connections made grow.
 */
final class ClassHistogram {

    /** {@code   1:   12345   678900  java.lang.String (java.base@25)} */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    private record Count(long instances, long bytes) {
    }

    private final Map<String, Count> byClass;

    private ClassHistogram(Map<String, Count> byClass) {
        this.byClass = byClass;
    }

    static ClassHistogram now() {
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] { new String[0] }, new String[] { String[].class.getName() });
        } catch (JMException e) {
            throw new IllegalStateException("no class histogram from this JVM", e);
        }
        Map<String, Count> byClass = new HashMap<>();
        for (String line : text.split("\\R")) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                byClass.merge(row.group(3), new Count(Long.parseLong(row.group(1)), Long.parseLong(row.group(2))),
                        (a, b) -> new Count(a.instances() + b.instances(), a.bytes() + b.bytes()));
            }
        }
        return new ClassHistogram(byClass);
    }

    /** Writes this JVM's live objects (after a full GC) to {@code file}, an HPROF heap dump, for a closer look. */
    static void dump(String file) {
        try {
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).dumpHeap(file, true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A Markdown table of the {@code rows} classes that grew most in bytes since {@code before}, per connection. */
    String perConnection(ClassHistogram before, int connections, int rows) {
        StringBuilder table = new StringBuilder("%nHISTOGRAM growth per connection (%,d connections)%n%n".formatted(
                connections)).append("| class | instances | bytes |\n| --- | --- | --- |\n");
        long[] total = { 0 };
        byClass.forEach((name, now) -> total[0] += now.bytes() - before.byClass.getOrDefault(name, new Count(0, 0))
                .bytes());
        byClass.entrySet().stream().map(e -> {
            Count was = before.byClass.getOrDefault(e.getKey(), new Count(0, 0));
            return Map.entry(e.getKey(), new Count(e.getValue().instances() - was.instances(),
                    e.getValue().bytes() - was.bytes()));
        }).sorted(Comparator.comparingLong((Map.Entry<String, Count> e) -> e.getValue().bytes()).reversed())
                .limit(rows).forEach(e -> table.append("| %s | %.2f | %.0f |%n".formatted(e.getKey(),
                        e.getValue().instances() / (double) connections, e.getValue().bytes() / (double) connections)));
        table.append("| all classes | | %.0f |%n".formatted(total[0] / (double) connections));
        // What the connections should not hold once upgraded, however little it weighs.
        byClass.forEach((name, now) -> {
            if (name.endsWith(".RoutingContextImpl") || name.endsWith(".Http1xServerRequest")) {
                Count was = before.byClass.getOrDefault(name, new Count(0, 0));
                table.append("| (watched) %s | %.2f | %.0f |%n".formatted(name,
                        (now.instances() - was.instances()) / (double) connections,
                        (now.bytes() - was.bytes()) / (double) connections));
            }
        });
        return table.toString();
    }
}
