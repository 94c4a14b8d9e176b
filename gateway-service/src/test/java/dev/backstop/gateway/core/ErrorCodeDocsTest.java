package dev.backstop.gateway.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every stable error code, with its HTTP status, is in the served OpenAPI description and in docs/api.md's table. */
class ErrorCodeDocsTest {
    private static Set<String> codes() {
        Set<String> out = new TreeSet<>();
        Arrays.stream(ErrorCode.values()).forEach(c -> out.add(c.code()));
        return out;
    }

    @Test
    void theOpenApiErrorCodeEnumListsEveryCode() throws IOException {
        String yaml;
        try (InputStream in = ErrorCode.class.getResourceAsStream("/dev/backstop/gateway/api/openapi.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("ErrorCode:\\s+type: string\\s+enum: \\[([^\\]]*)]").matcher(yaml);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), "no ErrorCode enum in openapi.yaml");
        Set<String> listed = new TreeSet<>();
        for (String s : m.group(1).split(",")) {
            listed.add(s.trim());
        }
        assertEquals(codes(), listed);
    }

    @Test
    void apiMdHasARowForEveryCodeWithItsStatus() throws IOException {
        String md = Files.readString(Path.of("..", "docs", "api.md"));
        Set<String> rows = new TreeSet<>();
        Set<String> expected = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| (\\d{3}) \\| `([a-z_]+)` \\|").matcher(md);
        while (m.find()) {
            rows.add(m.group(1) + " " + m.group(2));
        }
        Arrays.stream(ErrorCode.values()).forEach(c -> expected.add(c.httpStatus() + " " + c.code()));
        assertEquals(expected, rows);
    }
}
