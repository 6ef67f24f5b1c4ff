package dev.appliancesync.benchmark;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a heap dump's instances of some classes keep alive, for attributing {@link IdleConnectionsBenchmark}'s heap
 * per connection ({@code -Dbench.idle.heap-dump=FILE}). For each class name given, the retained size of all its
 * instances together: the live objects reachable from the GC roots, less those still reachable when no path may pass
 * through an instance of that class. That is what would be freed if nothing held them, so it answers "what does
 * getting rid of X save" without a dominator tree. Also prints which classes make up that difference, and one chain
 * of classes from a GC root to an instance (who holds it). Shallow sizes assume compressed oops (4-byte references,
 * 12-byte object headers, 8-byte alignment), as the service's heap runs.
 * <p>
 * Run: {@code java -Xmx6g src/test/java/dev/appliancesync/benchmark/HeapDumpRetained.java DUMP CONNECTIONS CLASS...}
 * (a class name, or a prefix ending in {@code *}, e.g. {@code io.smallrye.mutiny.*}).
 */
public final class HeapDumpRetained {

    private static final int[] BASIC_SIZE = new int[12];
    private static final int PATH_STEPS = 7;

    static {
        BASIC_SIZE[2] = 4; // object reference, compressed
        BASIC_SIZE[4] = 1;
        BASIC_SIZE[5] = 2;
        BASIC_SIZE[6] = 4;
        BASIC_SIZE[7] = 8;
        BASIC_SIZE[8] = 1;
        BASIC_SIZE[9] = 2;
        BASIC_SIZE[10] = 4;
        BASIC_SIZE[11] = 8;
    }

    private final Map<Long, String> strings = new HashMap<>();
    private final Map<Long, Long> classNameIds = new HashMap<>();
    /** Class object id to its layout. */
    private final Map<Long, ClassLayout> classes = new HashMap<>();
    private int idSize;

    // Objects by index.
    private final LongIntMap index = new LongIntMap(1 << 22);
    private long[] ids = new long[1 << 22];
    private long[] classOf = new long[1 << 22];
    private int[] shallow = new int[1 << 22];
    private int[] refStart = new int[1 << 22];
    private int objects;
    private long[] refIds = new long[1 << 24];
    private int refs;
    private long[] rootIds = new long[1 << 16];
    private int roots;
    /** Instance field bytes by object index, resolved into references once all classes are known. */
    private final List<byte[]> pendingFields = new ArrayList<>();
    private final List<Integer> pendingIndex = new ArrayList<>();

    private int[] refTargets;
    private int[] rootIndices;

    private record ClassLayout(long id, long superId, byte[] fieldTypes, int instanceSize) {
    }

    public static void main(String[] args) throws IOException {
        HeapDumpRetained dump = new HeapDumpRetained();
        dump.read(Path.of(args[0]));
        int connections = Integer.parseInt(args[1]);
        dump.resolve();
        boolean[] all = dump.reachable(null);
        long total = dump.size(all);
        System.out.printf("live: %,d objects, %,d bytes (%.2f KiB per connection)%n", dump.objects, total,
                total / 1024.0 / connections);
        for (int i = 2; i < args.length; i++) {
            dump.report(args[i], all, total, connections);
        }
    }

    /**
     * {@code X^H1,H2}: how many instances of X stay reachable when no path may pass through an instance of H1 or H2,
     * and the paths that still reach them (what else holds X once those holders are gone).
     */
    private void reportCut(String target, String holders, boolean[] all, int connections) {
        boolean[] cut = new boolean[objects];
        boolean[] targets = new boolean[objects];
        List<String> patterns = List.of(holders.split(","));
        int instances = 0;
        for (int o = 0; o < objects; o++) {
            String name = className(classOf[o]);
            if (all[o] && patterns.stream().anyMatch(h -> matches(name, h))) {
                cut[o] = true;
            }
            if (all[o] && matches(name, target)) {
                targets[o] = true;
                instances++;
            }
        }
        boolean[] still = reachable(cut);
        int reached = 0;
        for (int o = 0; o < objects; o++) {
            if (targets[o] && still[o]) {
                reached++;
            } else {
                targets[o] = false;
            }
        }
        System.out.printf("%n%s: %,d instances, %,d still reachable without %s; the paths:%n", target, instances,
                reached, holders);
        parentsCut = cut;
        pathsTo(targets).entrySet().stream().sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
                .limit(12).forEach(e -> System.out.printf("  %8.2f/conn  %s%n", e.getValue() / (double) connections,
                        e.getKey()));
        parentsCut = null;
    }

    /** Objects that {@link #pathsTo} may not pass through, or null. */
    private boolean[] parentsCut;

    private void report(String pattern, boolean[] all, long total, int connections) {
        if (pattern.contains("^")) {
            reportCut(pattern.substring(0, pattern.indexOf('^')), pattern.substring(pattern.indexOf('^') + 1), all,
                    connections);
            return;
        }
        boolean[] excluded = new boolean[objects];
        int instances = 0;
        for (int o = 0; o < objects; o++) {
            if (all[o] && matches(className(classOf[o]), pattern)) {
                excluded[o] = true;
                instances++;
            }
        }
        boolean[] without = reachable(excluded);
        long retained = total - size(without);
        System.out.printf("%n%s: %,d instances, retained %,d bytes, %.3f KiB per connection%n", pattern, instances,
                retained, retained / 1024.0 / connections);
        Map<String, long[]> byClass = new HashMap<>();
        for (int o = 0; o < objects; o++) {
            if (all[o] && !without[o]) {
                long[] row = byClass.computeIfAbsent(className(classOf[o]), k -> new long[2]);
                row[0]++;
                row[1] += shallow[o];
            }
        }
        byClass.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(25)
                .forEach(e -> System.out.printf("  %8.3f KiB/conn %7.2f/conn  %s%n", e.getValue()[1] / 1024.0
                        / connections, e.getValue()[0] / (double) connections, e.getKey()));
        System.out.println("  held by (shortest paths from a GC root, their last steps, most common first):");
        pathsTo(excluded).entrySet().stream().sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
                .limit(12).forEach(e -> System.out.printf("  %8.2f/conn  %s%n", e.getValue() / (double) connections,
                        e.getKey()));
    }

    private static boolean matches(String name, String pattern) {
        return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
                : name.equals(pattern);
    }

    /**
     * The shortest chains of classes from a GC root to each object of the set (breadth first), each cut to its last
     * {@value #PATH_STEPS} steps, counted.
     */
    private Map<String, Integer> pathsTo(boolean[] targets) {
        Map<String, Integer> paths = new HashMap<>();
        int[] parent = new int[objects];
        Arrays.fill(parent, -2);
        int[] queue = new int[objects];
        int head = 0;
        int tail = 0;
        for (int r : rootIndices) {
            if (parent[r] == -2 && (parentsCut == null || !parentsCut[r])) {
                parent[r] = -1;
                queue[tail++] = r;
            }
        }
        while (head < tail) {
            int o = queue[head++];
            if (targets[o]) {
                List<String> chain = new ArrayList<>();
                for (int p = o; p >= 0 && chain.size() < PATH_STEPS; p = parent[p]) {
                    chain.add(0, shortName(className(classOf[p])));
                }
                paths.merge(String.join(" -> ", chain), 1, Integer::sum);
            }
            for (int r = refStart[o]; r < refStart[o + 1]; r++) {
                int t = refTargets[r];
                if (t >= 0 && parent[t] == -2 && (parentsCut == null || !parentsCut[t])) {
                    parent[t] = o;
                    queue[tail++] = t;
                }
            }
        }
        return paths;
    }

    private static String shortName(String className) {
        int dot = className.lastIndexOf('.', className.indexOf('$') < 0 ? className.length() : className.indexOf('$'));
        return className.substring(dot + 1).replaceAll("\\$\\$Lambda.*", "\\$\\$Lambda");
    }

    private long size(boolean[] marked) {
        long sum = 0;
        for (int o = 0; o < objects; o++) {
            if (marked[o]) {
                sum += shallow[o];
            }
        }
        return sum;
    }

    /** Objects reachable from the roots, never passing through (nor counting) an excluded one. */
    private boolean[] reachable(boolean[] excluded) {
        boolean[] marked = new boolean[objects];
        int[] stack = new int[1 << 20];
        int top = 0;
        for (int r : rootIndices) {
            if (!marked[r] && (excluded == null || !excluded[r])) {
                marked[r] = true;
                stack[top++] = r;
            }
        }
        while (top > 0) {
            int o = stack[--top];
            for (int r = refStart[o]; r < refStart[o + 1]; r++) {
                int t = refTargets[r];
                if (t >= 0 && !marked[t] && (excluded == null || !excluded[t])) {
                    marked[t] = true;
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, stack.length * 2);
                    }
                    stack[top++] = t;
                }
            }
        }
        return marked;
    }

    private String className(long classId) {
        if (classId < 0) {
            return switch ((int) -classId) {
                case 4 -> "boolean[]";
                case 5 -> "char[]";
                case 6 -> "float[]";
                case 7 -> "double[]";
                case 8 -> "byte[]";
                case 9 -> "short[]";
                case 10 -> "int[]";
                case 11 -> "long[]";
                case 100 -> "java.lang.Class";
                default -> "?";
            };
        }
        Long name = classNameIds.get(classId);
        return name == null ? "?" : strings.getOrDefault(name, "?").replace('/', '.');
    }

    // ---- reading ----

    private void read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            while (in.readByte() != 0) {
                // the format's name, to its terminating zero
            }
            idSize = in.readInt();
            in.readLong();
            while (true) {
                int tag;
                try {
                    tag = in.readUnsignedByte();
                } catch (EOFException end) {
                    break;
                }
                in.readInt();
                long length = Integer.toUnsignedLong(in.readInt());
                switch (tag) {
                    case 0x01 -> {
                        long id = readId(in);
                        byte[] text = new byte[(int) (length - idSize)];
                        in.readFully(text);
                        strings.put(id, new String(text, java.nio.charset.StandardCharsets.UTF_8));
                    }
                    case 0x02 -> {
                        in.readInt();
                        long classId = readId(in);
                        in.readInt();
                        classNameIds.put(classId, readId(in));
                    }
                    case 0x0C, 0x1C -> readHeap(in, length);
                    default -> in.skipNBytes(length);
                }
            }
        }
    }

    private void readHeap(DataInputStream in, long length) throws IOException {
        long end = length;
        long[] read = {0};
        CountingInput counted = new CountingInput(in, read);
        while (read[0] < end) {
            int sub = counted.u1();
            switch (sub) {
                case 0xFF, 0x05, 0x07 -> root(counted.id());
                case 0x01 -> {
                    root(counted.id());
                    counted.id();
                }
                case 0x02, 0x03, 0x08 -> {
                    root(counted.id());
                    counted.u4();
                    counted.u4();
                }
                case 0x04, 0x06 -> {
                    root(counted.id());
                    counted.u4();
                }
                case 0x20 -> readClass(counted);
                case 0x21 -> {
                    long id = counted.id();
                    counted.u4();
                    long classId = counted.id();
                    byte[] fields = counted.bytes(counted.u4());
                    int o = add(id, classId, 0);
                    pendingFields.add(fields);
                    pendingIndex.add(o);
                }
                case 0x22 -> {
                    long id = counted.id();
                    counted.u4();
                    int n = counted.u4();
                    long arrayClass = counted.id();
                    int o = add(id, arrayClass, align(16 + 4L * n));
                    for (int i = 0; i < n; i++) {
                        ref(counted.id());
                    }
                    refStart[o + 1] = refs;
                }
                case 0x23 -> {
                    long id = counted.id();
                    counted.u4();
                    int n = counted.u4();
                    int type = counted.u1();
                    counted.skip((long) n * BASIC_SIZE[type]);
                    add(id, -type, align(16 + (long) n * BASIC_SIZE[type]));
                }
                default -> throw new IOException("unknown heap sub-record " + sub);
            }
        }
    }

    private void readClass(CountingInput in) throws IOException {
        long id = in.id();
        in.u4();
        long superId = in.id();
        for (int i = 0; i < 5; i++) {
            in.id();
        }
        int instanceSize = in.u4();
        int constants = in.u2();
        for (int i = 0; i < constants; i++) {
            in.u2();
            in.skip(valueSize(in.u1()));
        }
        // The class object: its static references are what it holds (classes are treated as roots).
        int o = add(id, -100, 64);
        root(id);
        int statics = in.u2();
        for (int i = 0; i < statics; i++) {
            in.id();
            int type = in.u1();
            if (type == 2) {
                ref(in.id());
            } else {
                in.skip(valueSize(type));
            }
        }
        refStart[o + 1] = refs;
        int fields = in.u2();
        byte[] types = new byte[fields];
        for (int i = 0; i < fields; i++) {
            in.id();
            types[i] = (byte) in.u1();
        }
        classes.put(id, new ClassLayout(id, superId, types, instanceSize));
    }

    private int valueSize(int type) {
        return type == 2 ? idSize : BASIC_SIZE[type];
    }

    private static int align(long bytes) {
        return (int) ((bytes + 7) & ~7L);
    }

    private void root(long id) {
        if (roots == rootIds.length) {
            rootIds = Arrays.copyOf(rootIds, roots * 2);
        }
        rootIds[roots++] = id;
    }

    private void ref(long id) {
        if (refs == refIds.length) {
            refIds = Arrays.copyOf(refIds, refs * 2);
        }
        refIds[refs++] = id;
    }

    private int add(long id, long classId, int size) {
        if (objects + 1 >= ids.length) {
            int grown = ids.length * 2;
            ids = Arrays.copyOf(ids, grown);
            classOf = Arrays.copyOf(classOf, grown);
            shallow = Arrays.copyOf(shallow, grown);
            refStart = Arrays.copyOf(refStart, grown + 1);
        }
        int o = objects++;
        ids[o] = id;
        classOf[o] = classId;
        shallow[o] = size;
        refStart[o] = refs;
        refStart[o + 1] = refs;
        index.put(id, o);
        return o;
    }

    /** Instance fields into references (their classes may come after them), then ids into indices. */
    private void resolve() {
        // Instances' references go after everything read so far; rebuild the layout as one array per object.
        int[] start = new int[objects + 1];
        long[] all = new long[refs + pendingFields.size() * 4];
        int n = 0;
        int pending = 0;
        int[] pendingAt = new int[objects];
        Arrays.fill(pendingAt, -1);
        for (int i = 0; i < pendingIndex.size(); i++) {
            pendingAt[pendingIndex.get(i)] = i;
        }
        for (int o = 0; o < objects; o++) {
            start[o] = n;
            if (pendingAt[o] >= 0) {
                byte[] fields = pendingFields.get(pendingAt[o]);
                int size = 12;
                int at = 0;
                for (ClassLayout c = classes.get(classOf[o]); c != null; c = classes.get(c.superId())) {
                    for (byte type : c.fieldTypes()) {
                        if (type == 2) {
                            long target = 0;
                            for (int b = 0; b < idSize; b++) {
                                target = (target << 8) | (fields[at + b] & 0xFF);
                            }
                            if (n == all.length) {
                                all = Arrays.copyOf(all, all.length * 2);
                            }
                            all[n++] = target;
                            at += idSize;
                        } else {
                            at += BASIC_SIZE[type];
                        }
                        size += BASIC_SIZE[type];
                    }
                }
                shallow[o] = align(size);
                pending++;
            } else {
                for (int r = refStart[o]; r < refStart[o + 1]; r++) {
                    if (n == all.length) {
                        all = Arrays.copyOf(all, all.length * 2);
                    }
                    all[n++] = refIds[r];
                }
            }
        }
        start[objects] = n;
        pendingFields.clear();
        refTargets = new int[n];
        for (int r = 0; r < n; r++) {
            refTargets[r] = all[r] == 0 ? -1 : index.get(all[r]);
        }
        refStart = start;
        refIds = null;
        rootIndices = Arrays.stream(Arrays.copyOf(rootIds, roots)).mapToInt(index::get).filter(i -> i >= 0)
                .toArray();
        if (pending != pendingIndex.size()) {
            throw new IllegalStateException("instances resolved " + pending + " of " + pendingIndex.size());
        }
    }

    /** Reads from the heap dump record, counting what it read. */
    private final class CountingInput {
        private final DataInputStream in;
        private final long[] read;

        CountingInput(DataInputStream in, long[] read) {
            this.in = in;
            this.read = read;
        }

        int u1() throws IOException {
            read[0] += 1;
            return in.readUnsignedByte();
        }

        int u2() throws IOException {
            read[0] += 2;
            return in.readUnsignedShort();
        }

        int u4() throws IOException {
            read[0] += 4;
            return in.readInt();
        }

        long id() throws IOException {
            read[0] += idSize;
            return idSize == 8 ? in.readLong() : Integer.toUnsignedLong(in.readInt());
        }

        byte[] bytes(int n) throws IOException {
            read[0] += n;
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        void skip(long n) throws IOException {
            read[0] += n;
            in.skipNBytes(n);
        }
    }

    private long readId(DataInputStream in) throws IOException {
        return idSize == 8 ? in.readLong() : Integer.toUnsignedLong(in.readInt());
    }

    /** Open addressing from object id to index (-1: none). */
    private static final class LongIntMap {
        private long[] keys;
        private int[] values;
        private int size;

        LongIntMap(int capacity) {
            keys = new long[capacity];
            values = new int[capacity];
        }

        void put(long key, int value) {
            if (size * 2 >= keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
            while (keys[i] != 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            if (keys[i] == 0) {
                size++;
            }
            keys[i] = key;
            values[i] = value;
        }

        int get(long key) {
            int mask = keys.length - 1;
            int i = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
            while (keys[i] != 0) {
                if (keys[i] == key) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            return -1;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new int[oldKeys.length * 2];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != 0) {
                    put(oldKeys[i], oldValues[i]);
                }
            }
        }
    }
}
