package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.TableRef;

import java.sql.SQLException;

/** The table no longer exists under its name (dropped or renamed). */
public final class TableMissingException extends SQLException {
    public TableMissingException(TableRef table) {
        super("table " + table.qualifiedName() + " does not exist");
    }
}
