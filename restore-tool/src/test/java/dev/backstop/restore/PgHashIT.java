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

/** {@link PgHash} gives exactly the server's {@code hashtextextended(text, seed)} for every length, byte and seed. */
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
    void hashesASliceOfALargerArray() {
        byte[] whole = "--hello, world--".getBytes(StandardCharsets.UTF_8);
        byte[] slice = "hello, world".getBytes(StandardCharsets.UTF_8);
        assertEquals(PgHash.hashBytesExtended(slice, 0, slice.length, 0), PgHash.hashBytesExtended(whole, 2, slice.length, 0));
    }
}
