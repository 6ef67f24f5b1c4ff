package dev.appliancesync.realtime;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Remembers what was made from the last few objects, by identity, so that the subscribers of one change share one
 * result: one redacted copy of a change per visibility class, one item per visible change, one rendered payload per
 * selection. A change reaches all its subscribers within moments, so a few slots hold what is in flight; a key that
 * has left them is made again. The value must be a pure function of the key (the same key always makes an equal
 * value), so correctness never depends on a hit.
 * <p>
 * Safe from any thread. Looking up is lock-free (a scan of the slots); a miss takes a short lock so that a key is
 * made once however many threads ask for it at the same time (the subscribers of one group sit on different event
 * loops), as long as no more than {@code slots} keys are in flight. It holds at most {@code slots} keys and values.
 */
public final class IdentityMemo<K, V> {

    /** One key and its value, made once by whoever asks first. */
    private static final class Slot<K, V> {
        final K key;
        private V value;

        Slot(K key) {
            this.key = key;
        }

        synchronized V value(Function<? super K, ? extends V> make) {
            if (value == null) {
                value = make.apply(key);
            }
            return value;
        }
    }

    private final AtomicReferenceArray<Slot<K, V>> slots;
    /** The slot the next new key replaces (the oldest); changed under the lock. */
    private int next;

    public IdentityMemo(int slots) {
        this.slots = new AtomicReferenceArray<>(slots);
    }

    /** The value made from {@code key} (this very object) if it is still held, else {@code make}'s, now held. */
    public V get(K key, Function<? super K, ? extends V> make) {
        Slot<K, V> slot = find(key);
        if (slot == null) {
            synchronized (this) {
                slot = find(key);
                if (slot == null) {
                    slot = new Slot<>(key);
                    slots.set(next, slot);
                    next = (next + 1) % slots.length();
                }
            }
        }
        return slot.value(make);
    }

    private Slot<K, V> find(K key) {
        for (int i = 0; i < slots.length(); i++) {
            Slot<K, V> slot = slots.get(i);
            if (slot != null && slot.key == key) {
                return slot;
            }
        }
        return null;
    }
}
