package dev.appliancesync.cloud.reconcile;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

import dev.appliancesync.cloud.gateway.CloudOperation;

/**
 * What a converge did.
 *
 * @param calls gateway calls by operation (one per call made, however many attempts or pages it took)
 * @param awaitingDeletion our policies, detached and no longer desired, that IoT Core would not delete yet (it can
 *        take minutes after a detach): pass them as former policies to a later converge
 * @param after what the cloud has afterwards, for the next converge to start from; null when not known
 */
public record ConvergeResult(Map<CloudOperation, Integer> calls, Set<String> awaitingDeletion, CloudSnapshot after) {

    public ConvergeResult {
        calls = Collections.unmodifiableMap(calls.isEmpty() ? new EnumMap<>(CloudOperation.class) : new EnumMap<>(calls));
        awaitingDeletion = Set.copyOf(awaitingDeletion);
    }

    /** Without a snapshot of what the cloud has afterwards (only attributes were converged). */
    public ConvergeResult(Map<CloudOperation, Integer> calls, Set<String> awaitingDeletion) {
        this(calls, awaitingDeletion, null);
    }

    public int count(CloudOperation operation) {
        return calls.getOrDefault(operation, 0);
    }

    public int reads() {
        return sum(false);
    }

    public int writes() {
        return sum(true);
    }

    public int total() {
        return reads() + writes();
    }

    private int sum(boolean writes) {
        return calls.entrySet().stream().filter(e -> e.getKey().isWrite() == writes).mapToInt(Map.Entry::getValue).sum();
    }
}
