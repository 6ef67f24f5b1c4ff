package dev.appliancesync.cloud.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Packs resource items into few documents, first-fit decreasing: largest items first, each into the first document
 * with room. A document is only opened for an item no earlier document had room for, so every document but the last
 * is full to within one item (an item is at most a few hundred characters of the 2048); on realistic grants that lands
 * on {@link #minimumDocuments}, the count no packing can beat (the benchmark's user: 10 of at least 10). The result
 * depends only on the set of items, never on the order they come in.
 */
final class PolicyPacker {

    private static final Comparator<PolicyItem> CANONICAL = Comparator.comparing(PolicyItem::kind)
            .thenComparing(PolicyItem::resource);

    private final PolicyDocumentWriter writer;
    private final int capacity;

    PolicyPacker(PolicyDocumentWriter writer, int capacity) {
        this.writer = writer;
        this.capacity = capacity;
    }

    /**
     * A count no packing can beat: every resource costs at least its own characters and two quotes (escaping only
     * adds), and a document has room for only so many besides its fixed frame. Cheap (no rendering), so grants far
     * over the quotas are refused without packing them.
     */
    int minimumDocuments(List<PolicyItem> items) {
        long characters = items.stream().distinct().mapToLong(item -> IotQuotas.documentSize(item.resource()) + 2)
                .sum();
        long room = capacity - writer.emptyDocumentSize();
        return (int) ((characters + room - 1) / room);
    }

    /** The documents' statements, each document's statements in kind order and resources sorted. */
    List<PackedDocument> pack(List<PolicyItem> items) {
        List<SizedItem> largestFirst = items.stream().distinct()
                .map(item -> new SizedItem(item, writer.resourceSize(item.resource())))
                .sorted(Comparator.comparingInt(SizedItem::size).reversed()
                        .thenComparing(SizedItem::item, CANONICAL))
                .toList();
        List<Bin> bins = new ArrayList<>();
        for (SizedItem item : largestFirst) {
            Bin target = null;
            for (Bin bin : bins) {
                if (bin.fits(item)) {
                    target = bin;
                    break;
                }
            }
            if (target == null) {
                target = new Bin();
                if (!target.fits(item)) {
                    throw new QuotaExceededException("a policy document may have at most " + capacity
                            + " characters; one resource alone needs more: " + item.item().resource());
                }
                bins.add(target);
            }
            target.add(item);
        }
        return bins.stream().map(Bin::document).toList();
    }

    /** A document's statements and the size the packer accounted for it (rendering must come out the same). */
    record PackedDocument(List<PolicyStatement> statements, int plannedSize) {
    }

    private record SizedItem(PolicyItem item, int size) {
    }

    private final class Bin {
        private final Map<StatementKind, TreeSet<String>> resources = new EnumMap<>(StatementKind.class);
        private int size = writer.emptyDocumentSize();

        boolean fits(SizedItem item) {
            return size + cost(item) <= capacity;
        }

        void add(SizedItem item) {
            size += cost(item);
            resources.computeIfAbsent(item.item().kind(), kind -> new TreeSet<>()).add(item.item().resource());
        }

        private int cost(SizedItem item) {
            StatementKind kind = item.item().kind();
            if (resources.containsKey(kind)) {
                return item.size() + 1; // comma before it
            }
            int statement = writer.emptyStatementSize(kind) + item.size();
            return resources.isEmpty() ? statement : statement + 1;
        }

        PackedDocument document() {
            List<PolicyStatement> statements = resources.entrySet().stream()
                    .map(entry -> new PolicyStatement(entry.getKey(), List.copyOf(entry.getValue())))
                    .toList();
            return new PackedDocument(statements, size);
        }
    }
}
