package dev.backstop.restore;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.RecoveryPointPublisher;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.snapshot.parquet.RowFileWriter;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.testsupport.S3Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes recovery points into the test bucket with snapshot-format's own writer (what the sidecar
 * does), so the restore tool reads exactly the real format.
 */
final class RecoveryPoints implements AutoCloseable {

    static final List<ColumnSpec> COLUMNS = List.of(
            ColumnSpec.of("id", "bigint", ValueEncoding.INT64, false),
            ColumnSpec.of("note", "text", ValueEncoding.TEXT, true));

    private final S3Endpoint s3;
    private final String prefix;
    private final Path dir;
    private final S3ObjectStore store;

    RecoveryPoints(S3Endpoint s3, String prefix, Path dir) {
        this.s3 = s3;
        this.prefix = prefix;
        this.dir = dir;
        // The fixture's Apache-based client: the URL-connection one loses PUT bodies against s3proxy and
        // its retried conditional writes fail with a false 412 (test-support/README.md, "Known problem").
        this.store = new S3ObjectStore(s3.newClient(), s3.bucket());
    }

    S3ObjectStore store() {
        return store;
    }

    SnapshotKeys keys() {
        return new SnapshotKeys(prefix);
    }

    /**
     * Publishes a base-only recovery point of {@code rows} rows covering {@code lsn}, created at
     * {@code createdAt}, and moves latest.json to it.
     */
    VerifiedManifest publish(TableRef table, String lsn, Instant createdAt, int rows) throws IOException {
        Clock clock = Clock.fixed(createdAt, ZoneOffset.UTC);
        RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, keys(), clock);
        Lsn covered = Lsn.parse(lsn);
        String id = SnapshotKeys.recoveryPointId(covered, createdAt);
        Path file = Files.createTempFile(dir, "base-", ".parquet");
        try (RowFileWriter w = RowFileWriter.base(file, COLUMNS)) {
            for (int i = 1; i <= rows; i++) {
                w.writeRow(new Object[] {(long) i, i % 2 == 0 ? null : "row " + i});
            }
        }
        ManifestFile f = publisher.uploadVerified(keys().basePart(table, id, 0), file, FileKind.BASE, rows,
                covered, covered);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, id, table, COLUMNS, List.of("id"),
                new SourceInfo(table.database(), "7311111111111111111", 1, "sidecar-1", "backstop"),
                id, covered, covered, createdAt.minusSeconds(1), createdAt, List.of(f), (long) rows, null);
        VerifiedManifest vm = publisher.writeManifest(m);
        publisher.movePointer(vm);
        return vm;
    }

    /**
     * What the sidecar publishes every flush interval for a table that did not change: a recovery point with the same
     * files (and base) as {@code previous}, only the covered LSN and creation time moved; latest.json follows it.
     */
    VerifiedManifest keepAlive(VerifiedManifest previous, String lsn, Instant createdAt) {
        Clock clock = Clock.fixed(createdAt, ZoneOffset.UTC);
        RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, keys(), clock);
        Manifest p = previous.manifest();
        Lsn covered = Lsn.parse(lsn);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, SnapshotKeys.recoveryPointId(covered, createdAt), p.table(),
                p.columns(), p.primaryKey(), p.source(), p.baseSnapshotId(), p.baseLsn(), covered,
                p.coveredCommitTime(), createdAt, p.files(), p.totalRows(), null);
        VerifiedManifest vm = publisher.writeManifest(m);
        publisher.movePointer(vm);
        return vm;
    }

    /** A config.yml for the tool pointing at this bucket and prefix, database {@code app}. */
    Path writeConfig(Path file) throws IOException {
        String yaml = String.join("\n",
                "database:",
                "  url: jdbc:postgresql://localhost:5432/app",
                "  user: backstop_gateway",
                "gateway:",
                "  maxResultRows: 10",
                "snapshots:",
                "  endpoint: " + s3.endpoint(),
                "  region: ${TEST_REGION:-us-east-1}",
                "  bucket: " + s3.bucket(),
                "  prefix: " + prefix,
                "  pathStyle: true",
                "  accessKeyId: ${TEST_ACCESS_KEY}",
                "  secretAccessKey: ${TEST_SECRET_KEY}",
                "");
        Files.writeString(file, yaml);
        return file;
    }

    @Override
    public void close() {
        store.close();
    }
}
