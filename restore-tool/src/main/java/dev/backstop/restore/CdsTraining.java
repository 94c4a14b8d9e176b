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
import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.RowFileWriter;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import java.io.PrintWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The training run behind the restore tool's class-data-sharing archive, run once at build time ({@code package}:
 * {@code java -XX:ArchiveClassesAtExit=target/restore-cds.jsa ... CdsTraining}). It rehearses a restore offline, so
 * the classes a real one loads are in the archive and a restore's JVM starts with them already parsed and verified:
 * the CLI, the configuration, a recovery point of every column encoding in an in-memory store (choose, download,
 * SHA-256, replay, fingerprint), binary and text COPY encoding, and the S3 and PostgreSQL clients' request paths
 * (against a closed local port: they fail, as expected). Prints one line; never fails the build (without the archive
 * the tool only starts slower).
 */
public final class CdsTraining {
    private static final TableRef TABLE = new TableRef("train", "public", "t");
    private static final List<ColumnSpec> COLUMNS = List.of(
            ColumnSpec.of("id", "bigint", ValueEncoding.INT64, false),
            ColumnSpec.of("customer", "text", ValueEncoding.TEXT, false),
            ColumnSpec.decimal("amount", "numeric(12,2)", 12, 2, true),
            ColumnSpec.of("qty", "integer", ValueEncoding.INT32, true),
            ColumnSpec.of("s", "smallint", ValueEncoding.INT16, true),
            ColumnSpec.of("price", "double precision", ValueEncoding.FLOAT64, true),
            ColumnSpec.of("f4", "real", ValueEncoding.FLOAT32, true),
            ColumnSpec.of("paid", "boolean", ValueEncoding.BOOL, true),
            ColumnSpec.of("created", "timestamp with time zone", ValueEncoding.TIMESTAMPTZ, true),
            ColumnSpec.of("ts", "timestamp without time zone", ValueEncoding.TIMESTAMP, true),
            ColumnSpec.of("tm", "time without time zone", ValueEncoding.TIME, true),
            ColumnSpec.of("day", "date", ValueEncoding.DATE, true),
            ColumnSpec.of("data", "bytea", ValueEncoding.BYTES, true),
            ColumnSpec.of("tags", "text[]", ValueEncoding.PG_TEXT, true),
            ColumnSpec.of("doc", "jsonb", ValueEncoding.PG_TEXT, true),
            ColumnSpec.of("uid", "uuid", ValueEncoding.UUID, true),
            ColumnSpec.of("n", "numeric", ValueEncoding.NUMERIC_TEXT, true));
    /** {type oid, element oid} of {@link #COLUMNS} (built-in types: fixed oids). */
    private static final List<long[]> TYPES = List.of(new long[] {20, 0}, new long[] {25, 0}, new long[] {1700, 0},
            new long[] {23, 0}, new long[] {21, 0}, new long[] {701, 0}, new long[] {700, 0}, new long[] {16, 0},
            new long[] {1184, 0}, new long[] {1114, 0}, new long[] {1083, 0}, new long[] {1082, 0}, new long[] {17, 0},
            new long[] {1009, 25}, new long[] {3802, 0}, new long[] {2950, 0}, new long[] {1700, 0});
    private static final int ROWS = 20_000;
    static final int[] EXPECTED = {ExitCode.OK, ExitCode.OK, ExitCode.OK, ExitCode.OK, ExitCode.DATABASE, ExitCode.OK};
    /** Nothing listens here: the clients' connection attempts fail at once. */
    private static final String CLOSED = "127.0.0.1:9";

    private CdsTraining() {
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        try {
            int[] codes = rehearse();
            if (!java.util.Arrays.equals(codes, EXPECTED)) {
                System.out.println("restore-tool class-data-sharing training run: unexpected exit codes "
                        + java.util.Arrays.toString(codes) + " (the archive covers less)");
                return;
            }
            int preloaded = preloadJars();
            System.out.printf("restore-tool class-data-sharing training run: done in %.1f s (%d more classes preloaded)%n",
                    (System.nanoTime() - t0) / 1e9, preloaded);
        } catch (Exception | LinkageError e) {
            System.out.println("restore-tool class-data-sharing training run incomplete (the archive covers less): " + e);
        }
    }

    /** The exit codes of the rehearsed commands (expected: 0, 0, 0, 0, database error, 0). */
    static int[] rehearse() throws Exception {
        Path dir = Files.createTempDirectory("backstop-cds-");
        try {
            MemoryObjectStore store = new MemoryObjectStore();
            Lsn lsn = publish(store, dir);
            Path config = dir.resolve("config.yml");
            Files.writeString(config, String.join("\n", "database:", "  url: jdbc:postgresql://" + CLOSED + "/train",
                    "  user: train", "snapshots:", "  endpoint: http://" + CLOSED, "  region: us-east-1",
                    "  bucket: train", "  prefix: bs", "  pathStyle: true", "  accessKeyId: train",
                    "  secretAccessKey: train-secret", ""));
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            Environment env = new Environment(sink, sink, Map.of(), Clock.systemUTC(), dir, s -> store);
            String c = config.toString();
            String t = TABLE.database() + ":" + TABLE.schema() + "." + TABLE.name();
            int[] codes = {
                RestoreCli.run(new String[] {"--config", c, "list"}, env),
                RestoreCli.run(new String[] {"--config", c, "show", t}, env),
                RestoreCli.run(new String[] {"--config", c, "verify", t}, env),
                RestoreCli.run(new String[] {"--config", c, "restore", t, "--lsn", lsn.toString(), "--dry-run"}, env),
                // The real restore up to its first database call (which fails: nothing listens).
                RestoreCli.run(new String[] {"--config", c, "restore", t, "--lsn", lsn.toString(), "--jobs", "2"}, env),
                RestoreCli.run(new String[] {"restore", "--help"}, env)};
            encode();
            clients();
            return codes;
        } finally {
            RestoreRun.deleteTree(dir);
        }
    }

    private static Lsn publish(ObjectStore store, Path dir) throws Exception {
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        SnapshotKeys keys = new SnapshotKeys("bs");
        RecoveryPointPublisher publisher = new RecoveryPointPublisher(store, keys, Clock.fixed(created, ZoneOffset.UTC));
        Lsn covered = Lsn.parse("0/1000000");
        String id = SnapshotKeys.recoveryPointId(covered, created);
        Path file = dir.resolve("base.parquet");
        try (RowFileWriter w = RowFileWriter.base(file, COLUMNS)) {
            for (int i = 1; i <= ROWS; i++) {
                w.writeRow(row(i));
            }
        }
        ManifestFile f = publisher.uploadVerified(keys.basePart(TABLE, id, 0), file, FileKind.BASE, ROWS, covered, covered);
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, id, TABLE, COLUMNS, List.of("id"),
                new SourceInfo(TABLE.database(), "7311111111111111111", 1, "train", "backstop"),
                id, covered, covered, created.minusSeconds(1), created, List.of(f), (long) ROWS, null);
        VerifiedManifest vm = publisher.writeManifest(m);
        publisher.movePointer(vm);
        return covered;
    }

    private static Object[] row(int i) {
        boolean nulls = i % 7 == 0;
        return new Object[] {(long) i, "customer " + (i % 50) + (i % 3 == 0 ? " \"q\" \\" : ""),
                nulls ? null : BigDecimal.valueOf(i * 125L, 2), i % 1000, (short) (i % 100), i / 7.0, i / 3.0f,
                i % 2 == 0, Instant.ofEpochSecond(1_767_225_600L + i, i * 1000L),
                LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(i), LocalTime.ofSecondOfDay(i % 86_400),
                LocalDate.of(2026, 1, 1).plusDays(i % 1000), Bytes.wrap(new byte[] {(byte) i, 0, 92, 10}),
                "{a" + (i % 10) + ",\"b c\"}", "{\"n\": " + i + ", \"k\": \"v\"}", new UUID(i, -i),
                nulls ? null : i + ".50"};
    }

    /** Binary and text COPY encoding of the recovery point's rows, as the load does (no database). */
    private static void encode() throws Exception {
        CopyBinary binary = CopyBinary.fromTypes(COLUMNS, TYPES).orElseThrow();
        ByteBuf buf = new ByteBuf(256 * 1024);
        for (int i = 1; i <= ROWS; i++) {
            Object[] r = row(i);
            binary.appendRow(buf, r);
            CopyText.appendRow(buf, r);
            if (buf.size() > 200 * 1024) {
                buf.toByteArray();
                buf.clear();
            }
        }
        try (FingerprintWorker fp = new FingerprintWorker(COLUMNS)) {
            for (int i = 1; i <= 2_000; i++) {
                fp.add(row(i));
            }
            fp.finish();
        }
    }

    /**
     * Classes an offline rehearsal cannot reach, loaded (not initialized) so the archive holds them too: PostgreSQL's
     * driver past the connection (protocol, COPY), the S3 client's request and XML response path, JSON, and this
     * tool's own classes. A real restore loaded about 600 classes from these jars otherwise (picocli's, built for
     * Java 5, cannot be archived by this JDK). A class that cannot load (an optional dependency missing) is skipped.
     */
    static int preloadJars() {
        int loaded = 0;
        ClassLoader loader = CdsTraining.class.getClassLoader();
        // One class per jar names the jar (the S3 model jar itself, ~5,000 classes, is left out: far more than a
        // restore uses).
        for (String anchorName : List.of("org.postgresql.Driver", "com.ctc.wstx.stax.WstxInputFactory",
                "org.codehaus.stax2.XMLStreamReader2", "software.amazon.awssdk.core.SdkRequest",
                "software.amazon.awssdk.awscore.AwsRequest", "software.amazon.awssdk.protocols.xml.AwsXmlProtocolFactory",
                "org.apache.http.HttpRequest", "org.apache.commons.logging.Log", "com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.core.JsonFactory", CdsTraining.class.getName())) {
            Class<?> anchor;
            try {
                anchor = Class.forName(anchorName, false, loader);
            } catch (ClassNotFoundException e) {
                continue; // not on the class path (any more): nothing to preload from it
            }
            java.security.CodeSource source = anchor.getProtectionDomain().getCodeSource();
            if (source == null || !source.getLocation().getPath().endsWith(".jar")) {
                continue; // classes from a directory (tests): no archive is built from them
            }
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(new java.io.File(source.getLocation().toURI()))) {
                for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                        continue;
                    }
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError skipped) {
                        // an optional dependency of that class is not on the class path
                    }
                }
            } catch (java.io.IOException | java.net.URISyntaxException e) {
                // that jar stays partly outside the archive
            }
        }
        return loaded;
    }

    /**
     * The S3 and PostgreSQL clients' request paths, up to the refused connection; the S3 client with a plain-HTTP and
     * with a TLS endpoint (only the latter sets up TLS, whose classes should be in the archive too).
     */
    private static void clients() {
        for (String scheme : List.of("http://", "https://")) {
            try (S3ObjectStore s3 = S3ObjectStore.create(new S3Settings(scheme + CLOSED, "us-east-1", "train", "bs",
                    true, "train", "train-secret"))) {
                s3.head("bs/x");
            } catch (RuntimeException expected) {
                // nothing listens
            }
        }
        try (var c = DriverManager.getConnection("jdbc:postgresql://" + CLOSED + "/train?connectTimeout=2", "train", "x")) {
            c.isValid(1);
        } catch (java.sql.SQLException expected) {
            // nothing listens
        }
    }
}
