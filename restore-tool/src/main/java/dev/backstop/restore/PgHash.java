package dev.backstop.restore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * PostgreSQL's 64-bit byte hash, {@code hash_bytes_extended} (Bob Jenkins' lookup3 with a 64-bit seed), as used by
 * {@code hashtextextended(text, seed)} for text of a deterministic collation: the same bytes and seed give the same
 * value as the server on little-endian machines (the only byte order PostgreSQL's x86-64 and arm64 builds use). The
 * restore's fingerprint hashes each row's text with it in Java and in SQL; {@code PgHashIT} checks it against the
 * server.
 */
final class PgHash {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private PgHash() {
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
        // final(a, b, c)
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
