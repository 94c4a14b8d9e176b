package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.TableRef;

import java.util.List;

/** A tracked table's columns (in attnum order) and primary key, as PostgreSQL describes them now. */
public record TableSchema(TableRef table, List<ColumnSpec> columns, List<String> primaryKey) {
    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public List<String> columnNames() {
        return columns.stream().map(ColumnSpec::name).toList();
    }
}
