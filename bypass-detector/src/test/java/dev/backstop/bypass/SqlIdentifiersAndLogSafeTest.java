package dev.backstop.bypass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SqlIdentifiersAndLogSafeTest {
    @Test
    void quotesIdentifiers() {
        assertEquals("\"backstop\".\"bypass_events\"", SqlIdentifiers.table("backstop", "bypass_events"));
        assertEquals("\"a\"\"b\"", SqlIdentifiers.quote("a\"b"));
        assertEquals("\"x; DROP TABLE t\"", SqlIdentifiers.quote("x; DROP TABLE t"));
        assertThrows(IllegalArgumentException.class, () -> SqlIdentifiers.quote("a\0b"));
    }

    @Test
    void clientStringsStayOnOneBoundedLine() {
        assertNull(LogSafe.text(null));
        assertEquals("\"psql\"", LogSafe.text("psql"));
        assertEquals("\"x?FAKE LOG LINE\"", LogSafe.text("x\nFAKE LOG LINE"));
        String longName = "a".repeat(500);
        assertEquals("\"" + "a".repeat(200) + "…\"", LogSafe.text(longName));
    }

    @Test
    void settingsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> BypassDetectorSettings.defaults(java.util.List.of()));
        assertThrows(IllegalArgumentException.class, () -> BypassDetectorSettings.defaults(java.util.List.of(" ")));
        assertThrows(IllegalArgumentException.class,
                () -> BypassDetectorSettings.defaults(java.util.List.of("agent")).withPollInterval(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> BypassDetectorSettings.defaults(java.util.List.of("agent")).withStateSchema(""));
    }
}
