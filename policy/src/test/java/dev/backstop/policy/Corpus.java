package dev.backstop.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the test corpora under src/test/resources/corpus. */
final class Corpus {
    private Corpus() {
    }

    static List<String> lines(String resource) {
        try (InputStream in = Corpus.class.getResourceAsStream("/corpus/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing corpus " + resource);
            }
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String line : all.split("\n", -1)) {
                out.add(line);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Read corpus: one statement per line, "-- " comment lines and blank lines skipped. */
    static List<String> reads() {
        List<String> out = new ArrayList<>();
        for (String l : lines("reads.sql")) {
            if (l.isBlank() || l.startsWith("-- ")) {
                continue;
            }
            out.add(l.replace("{NL}", "\n"));
        }
        return out;
    }

    record Adversarial(Risk risk, Outcome outcome, List<String> reasons, String sql) {
        @Override
        public String toString() {
            return sql.length() > 80 ? sql.substring(0, 80) + "..." : sql;
        }
    }

    static List<Adversarial> adversarial() {
        List<Adversarial> out = new ArrayList<>();
        for (String l : lines("adversarial.txt")) {
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] p = l.split("\\|", 4);
            List<String> reasons = p[2].isEmpty() ? List.of() : List.of(p[2].split(","));
            Outcome o = switch (p[1]) {
                case "execute" -> Outcome.EXECUTE;
                case "approval_required" -> Outcome.APPROVAL_REQUIRED;
                case "block" -> Outcome.BLOCK;
                default -> throw new IllegalStateException("bad outcome in corpus: " + l);
            };
            out.add(new Adversarial(Risk.valueOf(p[0]), o, reasons, p[3].replace("{NL}", "\n")));
        }
        return out;
    }
}
