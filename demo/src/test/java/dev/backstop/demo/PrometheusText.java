package dev.backstop.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a
 * comment (# HELP / # TYPE / other) or a sample {@code name{labels} value [timestamp]}. Returns the
 * metric families with their type; throws on any line that does not parse.
 */
final class PrometheusText {
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped|info|stateset|gaugehistogram|unknown)");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
                    + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");

    private PrometheusText() {
    }

    /** family name -> type */
    static Map<String, String> families(String text) {
        Map<String, String> families = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    families.put(t.group(1), t.group(2));
                } else if (line.startsWith("# TYPE")) {
                    throw new IllegalArgumentException("line " + lineNo + ": bad TYPE line: " + line);
                }
                continue;
            }
            if (!SAMPLE.matcher(line).matches()) {
                throw new IllegalArgumentException("line " + lineNo + ": not a sample: " + line);
            }
        }
        return families;
    }
}
