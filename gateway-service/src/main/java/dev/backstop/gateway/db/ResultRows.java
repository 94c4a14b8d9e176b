package dev.backstop.gateway.db;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backstop.gateway.core.ExecutionResult.Column;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement's result set as the API returns it: at most {@code maxRows} rows as lossless JSON values,
 * and how many rows came back in all (the statement is asked for one more than the limit, so a
 * truncated result is known).
 */
record ResultRows(List<Column> columns, List<List<JsonNode>> rows, long seen, boolean truncated) {
    static final ResultRows NONE = new ResultRows(List.of(), List.of(), 0, false);

    /** The row count a read reports: the rows returned (the limit when truncated). */
    long returned() {
        return truncated ? rows.size() : seen;
    }

    static ResultRows read(ResultSet rs, int maxRows) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<Column> cols = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.add(new Column(md.getColumnLabel(i), md.getColumnTypeName(i)));
        }
        List<List<JsonNode>> out = new ArrayList<>();
        long n = 0;
        while (rs.next()) {
            n++;
            if (out.size() < maxRows) {
                List<JsonNode> row = new ArrayList<>(cols.size());
                for (int i = 1; i <= cols.size(); i++) {
                    row.add(JsonValues.read(rs, i, cols.get(i - 1).type()));
                }
                out.add(row);
            }
        }
        return new ResultRows(cols, out, n, n > maxRows);
    }
}
