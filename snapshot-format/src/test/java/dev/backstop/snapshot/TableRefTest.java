package dev.backstop.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** schema.table as text: plain names as they are, a part with a dot in double quotes. */
class TableRefTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "public.orders|public|orders|public.orders",
            "Public.Orders|Public|Orders|Public.Orders",
            "'\"ops.v2\".orders'|ops.v2|orders|'\"ops.v2\".orders'",
            "'ops.\"v2.orders\"'|ops|v2.orders|'ops.\"v2.orders\"'",
            "'\"a.b\".\"c.d\"'|a.b|c.d|'\"a.b\".\"c.d\"'",
            "'\"plain\".t'|plain|t|plain.t",
            "'a\"b.c'|'a\"b'|c|'a\"b.c'",
            "'\"\"\"q\".t'|'\"q'|t|'\"\"\"q\".t'",
            "'\"x\"\"y.z\".t'|'x\"y.z'|t|'\"x\"\"y.z\".t'"})
    void parsesAndWritesBackTheSameTable(String text, String schema, String name, String wire) {
        TableRef t = TableRef.parse("db", text);
        assertEquals(new TableRef("db", schema, name), t);
        assertEquals(wire, t.wireName());
        assertEquals(t, TableRef.parse("db", t.wireName()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "a.b.c", ".t", "s.", "\"a.b\"", "\"a.b.c", "\"a\"b.c", "\"\".t", "s.\"\"",
            "\"a\".\"b\".c", "\"a.b\".c.d"})
    void refusesWhatIsNotExactlyTwoNames(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableRef.parse("db", text));
        assertEquals("expected schema.table, got '" + text + "' (a name containing '.' is written in double quotes:"
                + " \"ops.v2\".orders)", e.getMessage());
    }
}
