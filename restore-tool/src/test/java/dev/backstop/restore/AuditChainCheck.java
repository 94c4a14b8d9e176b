package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backstop.testsupport.PgDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Walks the gateway's audit chain by its documented formula (docs/api.md "Audit"), computed here independently of the
 * code under test: seq without gaps, {@code prev_hash} = the previous {@code row_hash} (64 zeros first),
 * {@code row_hash = sha256(prev_hash + "\n" + record)}, {@code completion_hash = sha256(row_hash + "\n" + completion)}.
 */
final class AuditChainCheck {
    private AuditChainCheck() {
    }

    /** Asserts the whole chain; returns its number of rows. */
    static int assertValid(PgDatabase db) throws Exception {
        String prev = "0".repeat(64);
        int rows = 0;
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, record, prev_hash, row_hash, completion, completion_hash"
                     + " FROM backstop.audit ORDER BY seq")) {
            while (rs.next()) {
                rows++;
                long seq = rs.getLong(1);
                assertEquals(rows, seq, "seq without gaps");
                assertEquals(prev, rs.getString(3), "prev_hash of seq " + seq);
                assertEquals(sha256(prev + "\n" + rs.getString(2)), rs.getString(4), "row_hash of seq " + seq);
                String completion = rs.getString(5);
                assertEquals(completion == null ? null : sha256(rs.getString(4) + "\n" + completion), rs.getString(6),
                        "completion_hash of seq " + seq);
                prev = rs.getString(4);
            }
        }
        return rows;
    }

    static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
