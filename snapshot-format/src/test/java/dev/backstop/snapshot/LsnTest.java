package dev.backstop.snapshot;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LsnTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "0/16B3748, 23803720, 00000000016B3748",
            "0/0, 0, 0000000000000000",
            "1/0, 4294967296, 0000000100000000",
            "FFFFFFFF/FFFFFFFF, -1, FFFFFFFFFFFFFFFF",
            "A/B, 42949672971, 0000000A0000000B"})
    void parsesAndFormats(String text, long value, String key) {
        Lsn l = Lsn.parse(text);
        assertEquals(value, l.value());
        assertEquals(text, l.toString());
        assertEquals(key, l.keyForm());
        assertEquals(l, Lsn.parseKeyForm(key));
    }

    @Test
    void acceptsLowerCase() {
        assertEquals(Lsn.parse("0/16B3748"), Lsn.parse("0/16b3748"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "0/", "/1", "016B3748", "0/16B3748/1", "G/1", "123456789/1", "0/-1"})
    void refusesGarbage(String text) {
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse(text));
    }

    @Test
    void comparesUnsigned() {
        assertTrue(Lsn.parse("FFFFFFFF/0").compareTo(Lsn.parse("1/0")) > 0);
        assertTrue(Lsn.parse("0/2").isAfter(Lsn.parse("0/1")));
    }
}
