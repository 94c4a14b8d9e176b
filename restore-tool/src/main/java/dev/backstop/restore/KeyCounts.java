package dev.backstop.restore;

import java.io.IOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.postgresql.copy.PGCopyInputStream;

/**
 * The copyback counts of a table keyed by one integer column, from the recovered keys the restore streamed and the
 * live table's keys read with one binary COPY: a sequential scan sending 14 bytes a row, where the SQL full join
 * hashes and probes both tables. The numbers are by definition those of {@link TableComparison}'s join: every live
 * row counts once (a NULL key matches nothing, so it is extra; duplicate live keys each count), a recovered key with
 * no live row is missing.
 */
final class KeyCounts {
    private KeyCounts() {
    }

    /** Bytes of a binary value of the {@code format_type} name; 0 for any other type. */
    static int width(String type) {
        return switch (type) {
            case "smallint" -> 2;
            case "integer" -> 4;
            case "bigint" -> 8;
            default -> 0;
        };
    }

    /** The counts, and the key digest of the missing rows (see {@link TableComparison#missingDigest()}). */
    record Merged(TableComparison.Counts counts, BigInteger missingDigest) {
    }

    /**
     * Reads {@code live}'s {@code column} (of {@code width} bytes) and merges it with {@code recovered} (sorted,
     * unique); null when the live table holds more than {@code cap} rows (the counts are then left to SQL).
     */
    static Merged measure(Connection c, Relation live, String column, int width, long[] recovered,
                                          long cap) throws SQLException, IOException {
        // LIMIT cap + 1: a live table over the cap ends its COPY by itself after one row too many; no cancel, whose
        // signal could reach the next statement on this connection.
        String sql = "COPY (SELECT " + Sql.ident(column) + " FROM " + live.qualified() + " LIMIT "
                + (Math.min(cap, Integer.MAX_VALUE) + 1)
                + ") TO STDOUT (FORMAT binary)";
        CopyOut op = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        BinaryKeyReader.Keys keys;
        try (PGCopyInputStream in = new PGCopyInputStream(op)) {
            keys = BinaryKeyReader.read(in, width, recovered.length, cap);
            long sent = in.getHandledRowCount();
            if (sent != keys.rows()) {
                throw new IOException("COPY reported " + sent + " rows, " + keys.rows() + " were read");
            }
        }
        return keys.sorted() == null ? null : mergeWithDigest(keys.sorted(), keys.nulls(), recovered);
    }

    /**
     * {@code live}: the live non-NULL keys, sorted, duplicates allowed; {@code liveNulls}: live rows with a NULL key;
     * {@code recovered}: the recovered keys, sorted and unique (anything else is refused: the join's numbers rely on
     * it). {@code changed} is -1 (not counted here).
     */
    static TableComparison.Counts merge(long[] live, long liveNulls, long[] recovered) {
        return mergeWithDigest(live, liveNulls, recovered).counts();
    }

    /**
     * As {@link #merge}, with the missing keys' digest: the exact sum of {@code hashint8extended(key, 0)} over them,
     * as {@link TableComparison#keyDigest} computes it in SQL.
     */
    static Merged mergeWithDigest(long[] live, long liveNulls, long[] recovered) {
        long missing = 0;
        // The exact sum of up to 2^31 signed 64-bit hashes, in two halves that cannot overflow.
        long highHalves = 0;
        long lowHalves = 0;
        long extra = liveNulls;
        int i = 0;
        for (int j = 0; j < recovered.length; j++) {
            long key = recovered[j];
            if (j > 0 && recovered[j - 1] >= key) {
                throw new IllegalArgumentException("recovered keys are not sorted and unique at index " + j);
            }
            while (i < live.length && live[i] < key) {
                extra++;
                i++;
            }
            int first = i;
            while (i < live.length && live[i] == key) {
                i++;
            }
            if (i == first) {
                missing++;
                long h = PgHash.hashInt8(key, 0);
                highHalves += h >> 32;
                lowHalves += h & 0xFFFF_FFFFL;
            }
        }
        extra += live.length - i;
        BigInteger digest = BigInteger.valueOf(highHalves).shiftLeft(32).add(BigInteger.valueOf(lowHalves));
        return new Merged(new TableComparison.Counts(live.length + liveNulls, recovered.length, missing, extra, -1),
                digest);
    }
}
