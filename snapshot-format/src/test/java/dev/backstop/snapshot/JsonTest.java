package dev.backstop.snapshot;

import dev.backstop.snapshot.json.CanonicalJsonWriter;
import dev.backstop.snapshot.json.JsonParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void writerEscapesMinimally() {
        String s = new CanonicalJsonWriter().beginObject().name("a").value("q\"b\\s/\n\u0001é").name("n").value(-5)
                .name("l").beginArray().value(true).nullValue().endArray().endObject().toJson();
        assertEquals("{\"a\":\"q\\\"b\\\\s/\\n\\u0001é\",\"n\":-5,\"l\":[true,null]}", s);
        assertEquals(Map.of("a", "q\"b\\s/\n\u0001é", "n", -5L, "l", java.util.Arrays.asList(true, null)),
                JsonParser.parse(s));
    }

    @Test
    void parserAcceptsWhitespaceAndEscapes() {
        assertEquals(List.of("\u00e9/", 1L), JsonParser.parse(" [ \"\\u00e9\\/\" , 1 ] "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"a\":1.5}", "{\"a\":1e3}", "[1,]", "{", "\"x", "tru", "[1] 2",
            "{\"a\":\"\u0001\"}"})
    void parserRefusesInvalidOrNonCanonicalNumbers(String text) {
        assertThrows(FormatException.class, () -> JsonParser.parse(text));
    }

    @Test
    void deepNestingIsRefused() {
        assertThrows(FormatException.class, () -> JsonParser.parse("[".repeat(100) + "]".repeat(100)));
    }
}
