package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backstop.snapshot.parquet.Bytes;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    @Test
    void rowIsTabSeparatedWithEscapesAndNulls() {
        StringBuilder b = new StringBuilder();
        CopyText.appendRow(b, new Object[] {1L, null, "a\tb\nc\rd\\e", Bytes.copyOf(new byte[] {0, 0x5c, (byte) 0xff}),
                true, new BigDecimal("12.50"), 1.0E10, Float.NaN});
        assertEquals("1\t\\N\ta\\tb\\nc\\rd\\\\e\t\\\\x005cff\tt\t12.50\t1.0E10\tNaN\n", b.toString());
    }

    @Test
    void datesAndTimesInIsoWithBcAndUtc() {
        assertEquals("2026-11-26", CopyText.text(LocalDate.of(2026, 11, 26)));
        assertEquals("0044-03-15 BC", CopyText.text(LocalDate.of(-43, 3, 15)));
        assertEquals("2026-11-26 10:15:30.123456", CopyText.text(LocalDateTime.of(2026, 11, 26, 10, 15, 30, 123_456_000)));
        assertEquals("2026-11-26 10:15+00", CopyText.text(Instant.parse("2026-11-26T10:15:00Z")));
        assertEquals("23:59:59.999999", CopyText.text(LocalTime.of(23, 59, 59, 999_999_000)));
        assertEquals("00000000-0000-0001-0000-000000000002", CopyText.text(new UUID(1, 2)));
    }

    @Test
    void identifiersAreQuotedAndTypesChecked() {
        assertEquals("\"we\"\"ird\".\"t\"", Sql.qualified("we\"ird", "t"));
        assertEquals("numeric(12,2)", Sql.typeText("numeric(12,2)"));
        assertEquals("\"my enum\"[]", Sql.typeText("\"my enum\"[]"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Sql.typeText("int; DROP TABLE x"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Sql.typeText("int -- x"));
    }
}
