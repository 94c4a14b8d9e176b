package dev.backstop.restore;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns for terminal output. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final List<Boolean> lines = new ArrayList<>();

    TextTable(String... header) {
        rows.add(header);
        lines.add(false);
    }

    void add(String... row) {
        rows.add(row);
        lines.add(false);
    }

    /** A line of its own between the rows, printed as it is (it does not widen the columns). */
    void addLine(String text) {
        rows.add(new String[] {text});
        lines.add(true);
    }

    void print(PrintWriter out) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (int r = 0; r < rows.size(); r++) {
            if (lines.get(r)) {
                continue;
            }
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], rows.get(r)[i].length());
            }
        }
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            if (lines.get(n)) {
                out.println(r[0]);
                continue;
            }
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(r[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
