package dev.backstop.sidecar.pg;

import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.parquet.RowFileWriter;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Takes a base: a temporary logical slot exports a snapshot whose consistent point is the base LSN (exactly the
 * transactions committed before it are visible), the table is read in that snapshot and streamed into Parquet parts
 * rolled at a size limit, each uploaded and read back.
 */
public final class BaseCopier {
    private static final Logger LOG = LoggerFactory.getLogger(BaseCopier.class);
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[0-9A-Fa-f-]{1,64}");

    /** The result: files (uploaded, verified), the LSN the copy is consistent at, the schema it was taken with. */
    public record Base(TableSchema schema, String snapshotId, Lsn lsn, List<ManifestFile> files, long rows) {
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final RecoveryPointPublisher publisher;
    private final Path workDir;
    private final long partBytes;
    private final Clock clock;

    public BaseCopier(String jdbcUrl, String user, String password, RecoveryPointPublisher publisher, Path workDir,
                      long partBytes, Clock clock) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.publisher = publisher;
        this.workDir = workDir;
        this.partBytes = partBytes;
        this.clock = clock;
    }

    public Base copy(TableRef table) throws SQLException, IOException {
        Properties rp = new Properties();
        PGProperty.USER.set(rp, user);
        PGProperty.PASSWORD.set(rp, password);
        PGProperty.REPLICATION.set(rp, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(rp, "10");
        PGProperty.PREFER_QUERY_MODE.set(rp, "simple");
        String tempSlot = "backstop_base_" + Long.toHexString(System.nanoTime());
        try (Connection repl = DriverManager.getConnection(jdbcUrl, rp)) {
            ReplicationSlotInfo info = repl.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                    .logical().withSlotName(tempSlot).withOutputPlugin("pgoutput").withTemporaryOption().make();
            Lsn lsn = Lsn.of(info.getConsistentPoint().asLong());
            String snapshot = info.getSnapshotName();
            if (snapshot == null || !SNAPSHOT_NAME.matcher(snapshot).matches()) {
                throw new SQLException("PostgreSQL exported no usable snapshot for the base of " + table);
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                    // The name comes from the server and is checked against SNAPSHOT_NAME above.
                    s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
                }
                TableSchema schema = PgCatalog.describe(c, table)
                        .orElseThrow(() -> new TableMissingException(table));
                Base base = copyRows(c, schema, lsn);
                c.commit();
                LOG.info("base of {} taken at {}: {} rows in {} part(s)", table.qualifiedName(), lsn, base.rows(),
                        base.files().size());
                return base;
            }
        }
    }

    private Base copyRows(Connection c, TableSchema schema, Lsn lsn) throws SQLException, IOException {
        TableRef t = schema.table();
        String snapshotId = SnapshotKeys.recoveryPointId(lsn, clock.instant());
        try (Statement s = c.createStatement()) {
            s.setFetchSize(5000);
            try (ResultSet rs = s.executeQuery("SELECT * FROM " + quote(t.schema()) + "." + quote(t.name()))) {
                int n = schema.columns().size();
                BasePartsWriter.Parts parts = parts().write(t, schema.columns(), snapshotId, lsn, () -> {
                    if (!rs.next()) {
                        return null;
                    }
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = JdbcValues.read(rs, i + 1, schema.columns().get(i));
                    }
                    return row;
                });
                return new Base(schema, snapshotId, lsn, parts.files(), parts.rows());
            }
        }
    }

    public BasePartsWriter parts() {
        return new BasePartsWriter(publisher, workDir, partBytes);
    }

    public static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}
