package dev.appliancesync.realtime;

import dev.appliancesync.common.error.ApiException;

/**
 * Cursors are change-log sequence numbers. Clients treat them as opaque strings: the format may change, their order
 * (a later change has a later cursor) may not.
 */
public final class Cursors {

    private Cursors() {
    }

    public static String of(long seq) {
        return Long.toString(seq);
    }

    /** The sequence number of a cursor; VALIDATION if it is not one of ours. */
    public static long parse(String cursor) {
        try {
            long seq = Long.parseLong(cursor);
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // fall through to the one message
        }
        throw ApiException.validation("Not a cursor: pass a cursor from a change or a changes page");
    }
}
