package dev.backstop.restore;

import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.store.ObjectStore;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One run's configuration and store connection, opened on first use (so {@code --help} needs
 * neither) and closed when the command ends.
 */
final class Session implements AutoCloseable {

    private final Environment environment;
    private final RestoreConfig config;
    private final String databaseOverride;
    private ObjectStore store;
    private RecoveryPointCatalog catalog;
    private Connection db;
    private boolean closed;

    Session(Environment environment, RestoreConfig config, String databaseOverride) {
        this.environment = environment;
        this.config = config;
        this.databaseOverride = databaseOverride;
    }

    Environment environment() {
        return environment;
    }

    RestoreConfig config() {
        return config;
    }

    SnapshotKeys keys() {
        return new SnapshotKeys(config.snapshots().prefix());
    }

    ObjectStore store() {
        catalog();
        return store;
    }

    /**
     * A connection to the protected database (opened on first use, closed with the session); synchronized: a restore
     * opens it on another thread while it downloads.
     */
    synchronized Connection db() {
        if (closed) {
            // The restore opens it on another thread: one that finishes after the command ended must not leak.
            throw new IllegalStateException("the session is closed");
        }
        if (db == null || isBroken(db)) {
            // A connection that broke (e.g. while a copyback's COMMIT ran) is replaced, so what follows (completing
            // the audit record) still reaches the database.
            db = Database.connect(config);
        }
        return db;
    }

    /** A new connection of its own (parallel COPY streams); the caller closes it. */
    private static boolean isBroken(Connection c) {
        try {
            return c.isClosed();
        } catch (java.sql.SQLException e) {
            return true;
        }
    }

    Connection newConnection() {
        return Database.connect(config);
    }

    /**
     * Asks the sidecar to flush (when a target is not captured yet), with progress on stderr; a failure throws a
     * {@link CheckFailedException} saying how to flush by hand. Returns a note for an error that the flush did not fix.
     */
    Restorer.Flusher flusher() {
        SidecarFlush sidecar = SidecarFlush.of(config);
        return (table, lsn, why) -> {
            SidecarFlush.Flushed done = sidecar.flush(table, why, environment.err());
            return "the sidecar was asked to flush and made every change up to " + (done.lsn() == null ? "now"
                    : done.lsn()) + " durable, and still no recovery point serves " + lsn + " (is the sidecar "
                    + "capturing this database?)";
        };
    }

    RecoveryPointCatalog catalog() {
        if (catalog == null) {
            store = environment.storeFactory().apply(config.snapshots());
            catalog = new RecoveryPointCatalog(store, keys());
        }
        return catalog;
    }

    /**
     * A table named on the command line: {@code db:schema.table}, {@code schema.table} or
     * {@code table} (schema {@code public}); the database defaults to {@code --database}, then to
     * the one in {@code database.url}.
     */
    TableRef table(String text) {
        String database = databaseOverride != null ? databaseOverride : config.database();
        String rest = text;
        int colon = text.indexOf(':');
        if (colon >= 0) {
            database = text.substring(0, colon);
            rest = text.substring(colon + 1);
        }
        if (database == null || database.isEmpty()) {
            throw new ConfigException("no database name for table '" + text + "': set database.url in "
                    + config.source() + ", pass --database NAME, or write DB:SCHEMA.TABLE");
        }
        if (rest.isEmpty()) {
            throw new ConfigException("empty table name");
        }
        try {
            return rest.indexOf('.') < 0 ? new TableRef(database, "public", rest) : TableRef.parse(database, rest);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad table name '" + text + "': " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (db != null) {
            try {
                db.close();
            } catch (SQLException e) {
                // closing after the command finished: nothing left to protect
            }
        }
        if (store != null) {
            store.close();
        }
    }
}
