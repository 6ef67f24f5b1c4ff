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
 */
public record ConvergeResult(Map<CloudOperation, Integer> calls, Set<String> awaitingDeletion) {

    public ConvergeResult {
        calls = Collections.unmodifiableMap(calls.isEmpty() ? new EnumMap<>(CloudOperation.class) : new EnumMap<>(calls));
        awaitingDeletion = Set.copyOf(awaitingDeletion);
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
