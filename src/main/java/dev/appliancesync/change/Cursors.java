package dev.appliancesync.change;

import dev.appliancesync.common.error.ApiException;

/**
 * Positions in the change log, and the cursors clients hold for them. A position is (transaction id, sequence
 * number): the order the log is read in (see {@link ChangeLog}). Clients treat cursors as opaque strings: the format
 * may change, their meaning (everything after it) may not.
 */
public final class Cursors {

    /** A place in the change log; {@link #START} is before every entry. */
    public record Position(long txId, long seq) implements Comparable<Position> {

        public static final Position START = new Position(0, 0);

        @Override
        public int compareTo(Position other) {
            int byTransaction = Long.compare(txId, other.txId);
            return byTransaction != 0 ? byTransaction : Long.compare(seq, other.seq);
        }

        public boolean isBefore(Position other) {
            return compareTo(other) < 0;
        }

        public boolean isAfter(Position other) {
            return compareTo(other) > 0;
        }

        public static Position later(Position a, Position b) {
            return a.compareTo(b) >= 0 ? a : b;
        }
    }

    private Cursors() {
    }

    public static String of(Position position) {
        return position.txId() + "." + position.seq();
    }

    /** The position of a cursor; VALIDATION if it is not one of ours. */
    public static Position parse(String cursor) {
        int dot = cursor.indexOf('.');
        if (dot > 0) {
            try {
                Position position = new Position(Long.parseLong(cursor.substring(0, dot)),
                        Long.parseLong(cursor.substring(dot + 1)));
                if (position.txId() >= 0 && position.seq() >= 0) {
                    return position;
                }
            } catch (NumberFormatException e) {
                // fall through to the one message
            }
        }
        throw ApiException.validation("Not a cursor: pass a cursor from a change or a changes page");
    }
}
