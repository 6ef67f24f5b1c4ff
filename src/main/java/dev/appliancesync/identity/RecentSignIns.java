package dev.appliancesync.identity;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Sign-ins that ended within the last {@code window}, one per user: the latest, with the token facts it was asked
 * with. One answers only a caller with exactly those facts, so a token that says something new (email, username,
 * verification, groups) always signs in, and is written, on its first request. A later sign-in of the user with other
 * facts replaces it: an older token of theirs then signs in again too, and writes its facts back, as every request
 * did before. At most {@code max} users are held; past it the oldest go first (they cost a read on their next
 * request, nothing else). Thread-safe: every access is short and under this object's lock.
 */
final class RecentSignIns {

    private final long windowNanos;
    private final int max;
    private final LongSupplier nanoTime;
    /** By subject, oldest sign-in first; with one window for all, that is also the order they expire in. */
    private final LinkedHashMap<String, Recent> bySubject = new LinkedHashMap<>();

    private record Recent(SignedInPrincipal principal, AppUser user, long until) {
    }

    RecentSignIns(Duration window, int max, LongSupplier nanoTime) {
        if (window.isNegative() || max < 1) {
            throw new IllegalArgumentException("appliance-sync.identity.reuse-sign-in-for must not be negative and"
                    + " max-reused-sign-ins must be at least 1");
        }
        this.windowNanos = window.toNanos();
        this.max = max;
        this.nanoTime = nanoTime;
    }

    /** The user a sign-in with exactly {@code principal}'s facts found within the window; null if there is none. */
    synchronized AppUser find(SignedInPrincipal principal) {
        Recent recent = bySubject.get(principal.subject());
        if (recent == null) {
            return null;
        }
        if (nanoTime.getAsLong() - recent.until() >= 0) {
            bySubject.remove(principal.subject());
            return null;
        }
        return recent.principal().equals(principal) ? recent.user() : null;
    }

    /** Keeps {@code user}, as a sign-in with {@code principal} found them just now, for the window. */
    synchronized void remember(SignedInPrincipal principal, AppUser user) {
        if (windowNanos == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        bySubject.remove(principal.subject()); // to the end: the newest
        bySubject.put(principal.subject(), new Recent(principal, user, now + windowNanos));
        Iterator<Map.Entry<String, Recent>> oldestFirst = bySubject.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Recent oldest = oldestFirst.next().getValue();
            if (now - oldest.until() < 0 && bySubject.size() <= max) {
                break;
            }
            oldestFirst.remove();
        }
    }

    /** Forgets every sign-in held. */
    synchronized void clear() {
        bySubject.clear();
    }

    /** Users held now, expired ones not yet dropped included. */
    synchronized int size() {
        return bySubject.size();
    }
}
