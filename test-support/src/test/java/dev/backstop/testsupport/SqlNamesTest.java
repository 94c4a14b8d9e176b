package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SqlNamesTest {

    @Test
    void quotesIdentifiersAndLiterals() {
        assertEquals("\"orders\"", SqlNames.quoteIdent("orders"));
        assertEquals("\"a\"\"b\"", SqlNames.quoteIdent("a\"b"));
        assertEquals("'it''s'", SqlNames.quoteLiteral("it's"));
        assertThrows(IllegalArgumentException.class, () -> SqlNames.quoteIdent(""));
        assertThrows(IllegalArgumentException.class, () -> SqlNames.quoteIdent("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> SqlNames.quoteLiteral("a\0b"));
    }

    @Test
    void uniqueNamesAreSafeAndBounded() {
        String a = SqlNames.unique("My Very_Long Test-Class Name That Goes On And On And On And On", '-', 63);
        String b = SqlNames.unique("My Very_Long Test-Class Name That Goes On And On And On And On", '-', 63);
        assertNotEquals(a, b);
        assertTrue(a.length() <= 63, a);
        assertTrue(a.matches("t-[a-z0-9-]+"), a);
        assertTrue(a.startsWith("t-my-very-long-test-class-name"), a);
        assertTrue(SqlNames.unique("S3FixtureIT", '_', 63).matches("t_s3fixtureit_[0-9]+_[0-9a-z]+"));
    }

    @Test
    void embeddedModeUnlessDockerIsAskedFor() {
        // The self-test build runs without -Dbackstop.it.docker=true.
        assertEquals(Boolean.getBoolean(FixtureMode.DOCKER_PROPERTY) ? FixtureMode.current() : FixtureMode.EMBEDDED,
                FixtureMode.current());
    }
}
