package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PgHash} gives exactly the server's {@code hashtextextended(text, seed)} for every length, byte and seed, and
 * exactly its int4, int8, float4, float8 and uuid hash functions.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PgHashIT {

    @Test
    void matchesHashtextextendedForLengths0To100AndNonAscii(PgDatabase db) throws Exception {
        List<String> texts = new ArrayList<>();
        Random random = new Random(42);
        String alphabet = "abcXYZ019 ,()\"\\\t\né€🍕ß中\u0001";
        for (int len = 0; len <= 100; len++) {
            for (int k = 0; k < 3; k++) {
                StringBuilder b = new StringBuilder();
                while (b.toString().getBytes(StandardCharsets.UTF_8).length < len) {
                    b.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
                            random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
                }
                texts.add(b.toString());
            }
        }
        texts.add("(1,\"customer 1\",1.25,1,\"\\\\x3fc2492492492492\",f,1767225601000000,20454,\"\\\\xc4ca4238\")");
        texts.add("x".repeat(5000));
        long[] seeds = {0L, 1L, -1L, 0x123456789abcdefL, Long.MIN_VALUE, 4294967296L};
        int checked = 0;
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT hashtextextended(?, ?)")) {
            for (String t : texts) {
                byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
                for (long seed : seeds) {
                    ps.setString(1, t);
                    ps.setLong(2, seed);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(rs.getLong(1), PgHash.hashBytesExtended(bytes, 0, bytes.length, seed),
                                "length " + bytes.length + ", seed " + seed + ": " + t);
                        checked++;
                    }
                }
            }
        }
        assertEquals(texts.size() * seeds.length, checked);
    }

    @Test
    void matchesTheServersIntFloatAndUuidHashFunctions(PgDatabase db) throws Exception {
        long[] ints = {0, 1, -1, 42, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
            4294967296L, -4294967297L, 1_767_225_600_000_000L, -946_684_800_000_000L};
        double[] floats = {0.0, -0.0, 1.5, -2.25, 1e300, -1e-300, Double.MIN_VALUE, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1, 1.0 / 3};
        float[] smallFloats = {0f, -0f, 1.5f, 0.1f, Float.NaN, Float.NEGATIVE_INFINITY, 3.4e38f, 1.4e-45f};
        long[] seeds = {0L, 1L, 17L, -1L, 0x123456789abcdefL};
        int checked = 0;
        try (Connection c = db.connect();
             PreparedStatement i4 = c.prepareStatement("SELECT hashint4extended(?::int4, ?)");
             PreparedStatement i8 = c.prepareStatement("SELECT hashint8extended(?::int8, ?)");
             PreparedStatement f8 = c.prepareStatement("SELECT hashfloat8extended(?::float8, ?)");
             PreparedStatement f4 = c.prepareStatement("SELECT hashfloat4extended(?::float4, ?)");
             PreparedStatement u = c.prepareStatement("SELECT uuid_hash_extended(?::uuid, ?)")) {
            for (long seed : seeds) {
                for (long v : ints) {
                    if (v == (int) v) {
                        assertEquals(query(i4, Long.toString(v), seed), PgHash.hashInt4((int) v, seed), "int4 " + v);
                        checked++;
                    }
                    assertEquals(query(i8, Long.toString(v), seed), PgHash.hashInt8(v, seed), "int8 " + v);
                    checked++;
                }
                for (double v : floats) {
                    assertEquals(query(f8, pgFloat(v), seed), PgHash.hashFloat8(v, seed), "float8 " + v);
                    checked++;
                }
                for (float v : smallFloats) {
                    assertEquals(query(f4, pgFloat(v), seed), PgHash.hashFloat8(v, seed), "float4 " + v);
                    checked++;
                }
                for (java.util.UUID v : List.of(new java.util.UUID(0, 15), new java.util.UUID(-1, 1),
                        java.util.UUID.fromString("c4ca4238-a0b9-2382-0dcc-509a6f75849b"))) {
                    byte[] k = java.nio.ByteBuffer.allocate(16).putLong(v.getMostSignificantBits())
                            .putLong(v.getLeastSignificantBits()).array();
                    assertEquals(query(u, v.toString(), seed), PgHash.hashBytesExtended(k, 0, 16, seed), "uuid " + v);
                    checked++;
                }
            }
        }
        assertEquals(5 * (6 + 12 + 12 + 8 + 3), checked);
    }

    private static String pgFloat(double v) {
        return Double.isNaN(v) ? "NaN" : v == Double.POSITIVE_INFINITY ? "Infinity"
                : v == Double.NEGATIVE_INFINITY ? "-Infinity" : Double.toString(v);
    }

    private static String pgFloat(float v) {
        return Float.isNaN(v) ? "NaN" : v == Float.NEGATIVE_INFINITY ? "-Infinity" : Float.toString(v);
    }

    private static long query(PreparedStatement ps, String value, long seed) throws Exception {
        ps.setString(1, value);
        ps.setLong(2, seed);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void hashesASliceOfALargerArray() {
        byte[] whole = "--hello, world--".getBytes(StandardCharsets.UTF_8);
        byte[] slice = "hello, world".getBytes(StandardCharsets.UTF_8);
        assertEquals(PgHash.hashBytesExtended(slice, 0, slice.length, 0), PgHash.hashBytesExtended(whole, 2, slice.length, 0));
    }
}
