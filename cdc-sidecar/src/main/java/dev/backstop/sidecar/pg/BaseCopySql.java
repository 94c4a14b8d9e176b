package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.TableRef;

import java.util.List;

/**
 * The {@code COPY ... TO STDOUT (FORMAT binary)} statement of a base copy, optionally limited to a range of heap
 * blocks. Columns whose encoding {@link CopyBinaryRows} decodes from PostgreSQL's binary form are selected as they
 * are; numeric and pg_text columns are selected as their type's text output ({@code format('%s', v)} calls the
 * output function, exactly what a text-mode query returns; a cast to text would not always: bool or inet casts print
 * differently), NULL kept as NULL.
 */
final class BaseCopySql {
    private BaseCopySql() {
    }

    /** Heap blocks [from, to) of the table; {@code from == null} / {@code to == null} leave that side open. */
    record BlockRange(Long from, Long to) {
        static final BlockRange ALL = new BlockRange(null, null);
    }

    static String copy(TableRef t, List<ColumnSpec> columns, BlockRange range) {
        StringBuilder sql = new StringBuilder("COPY (SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec c = columns.get(i);
            String col = BaseCopier.quote(c.name());
            sql.append(i == 0 ? "" : ", ");
            switch (c.encoding()) {
                case DECIMAL, NUMERIC_TEXT, PG_TEXT ->
                        sql.append("CASE WHEN num_nulls(").append(col).append(") = 0 THEN format('%s', ").append(col)
                                .append(") END");
                default -> sql.append(col);
            }
        }
        sql.append(" FROM ").append(BaseCopier.quote(t.schema())).append('.').append(BaseCopier.quote(t.name()));
        // ctid bounds are tid literals built from numbers computed here (not input); PostgreSQL 14+ turns them into a
        // TID range scan that reads only those blocks.
        if (range.from() != null) {
            sql.append(" WHERE ctid >= '(").append(range.from()).append(",0)'::tid");
        }
        if (range.to() != null) {
            sql.append(range.from() != null ? " AND" : " WHERE").append(" ctid < '(").append(range.to())
                    .append(",0)'::tid");
        }
        return sql.append(") TO STDOUT (FORMAT binary)").toString();
    }
}
