package dev.backstop.restore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * PostgreSQL's 64-bit byte hash, {@code hash_bytes_extended} (Bob Jenkins' lookup3 with a 64-bit seed), as used by
 * {@code hashtextextended(text, seed)} for text of a deterministic collation: the same bytes and seed give the same
 * value as a server on a little-endian machine (x86-64, arm64; on a big-endian server the values differ, so a
 * restore's validation fails: closed). With the type-specific variants below (the server's int, float and uuid hash
 * functions) it is the restore's per-value hash in Java and in SQL; {@code PgHashIT} checks each against the server.
 */
final class PgHash {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private PgHash() {
    }

    /** {@code hashint4extended(k, seed)} (also int2 and, via {@code ::int4}, bool): lookup3 of the 4 bytes of k. */
    static long hashInt4(int k, long seed) {
        return hashShortKey(4, k, 0, seed);
    }

    /**
     * lookup3 of a key of 4 or 8 bytes given as its little-endian words {@code lo} and {@code hi} (0 for 4 bytes):
     * {@link #hashBytesExtended} without a byte array, for the fixed-size types.
     */
    private static long hashShortKey(int len, int lo, int hi, long seed) {
        int a = 0x9e3779b9 + len + 3923095;
        int b = a;
        int c = a;
        if (seed != 0) {
            a += (int) (seed >>> 32);
            b += (int) seed;
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        }
        a += lo;
        b += hi;
        return finish(a, b, c);
    }

    /** {@code hashint8extended(v, seed)}: the low half folded with the high half (inverted when negative). */
    static long hashInt8(long v, long seed) {
        int lo = (int) v;
        int hi = (int) (v >>> 32);
        return hashInt4(lo ^ (v >= 0 ? hi : ~hi), seed);
    }

    /**
     * {@code hashfloat8extended(v, seed)} (and {@code hashfloat4extended}, which widens to double first): equal
     * values hash equally, so 0 and -0 give {@code seed} and every NaN hashes as the canonical NaN.
     */
    static long hashFloat8(double v, long seed) {
        if (v == 0.0) {
            return seed;
        }
        long bits = Double.isNaN(v) ? 0x7ff8000000000000L : Double.doubleToRawLongBits(v);
        return hashShortKey(8, (int) bits, (int) (bits >>> 32), seed);
    }

    /** The hash of {@code k[off, off + len)} with {@code seed}, as PostgreSQL's signed bigint. */
    static long hashBytesExtended(byte[] k, int off, int len, long seed) {
        int a = 0x9e3779b9 + len + 3923095;
        int b = a;
        int c = a;
        if (seed != 0) {
            // The seed is treated as a first 12-byte block whose last 4 bytes are zero.
            a += (int) (seed >>> 32);
            b += (int) seed;
            // mix(a, b, c)
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        }
        int p = off;
        int rest = len;
        while (rest >= 12) {
            a += (int) INT_LE.get(k, p);
            b += (int) INT_LE.get(k, p + 4);
            c += (int) INT_LE.get(k, p + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            p += 12;
            rest -= 12;
        }
        // The last 0..11 bytes, little-endian into a, b and c; the lowest byte of c stays free (the length is in the
        // initial state).
        switch (rest) {
            case 11: c += (k[p + 10] & 0xFF) << 24; // fall through
            case 10: c += (k[p + 9] & 0xFF) << 16; // fall through
            case 9: c += (k[p + 8] & 0xFF) << 8; // fall through
            case 8: b += (k[p + 7] & 0xFF) << 24; // fall through
            case 7: b += (k[p + 6] & 0xFF) << 16; // fall through
            case 6: b += (k[p + 5] & 0xFF) << 8; // fall through
            case 5: b += k[p + 4] & 0xFF; // fall through
            case 4: a += (k[p + 3] & 0xFF) << 24; // fall through
            case 3: a += (k[p + 2] & 0xFF) << 16; // fall through
            case 2: a += (k[p + 1] & 0xFF) << 8; // fall through
            case 1: a += k[p] & 0xFF; // fall through
            default: break;
        }
        return finish(a, b, c);
    }

    /** lookup3's final(a, b, c); the result is b and c as one 64-bit value. */
    private static long finish(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return ((long) b << 32) | (c & 0xFFFFFFFFL);
    }
}
