package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.Lsn;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.GatewayStateSchema;
import dev.backstop.testsupport.PgDatabase;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incident story end to end with the real sidecar: "others" write rows seconds before a destructive statement run
 * directly over JDBC (the gateway's side is tested in gateway-service); the restore tool rebuilds the table as of just
 * before it, validates, and the copyback restores the live table exactly.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class RestoreEndToEndIT {
    private static final Pattern RECOVERED = Pattern.compile("Recovered table:  public\\.(\\S+)");

    @TempDir
    Path dir;

    /** Orders captured, a flush (what the gateway asks before a CRITICAL op), then others' writes; returns L0. */
    private Lsn prepare(Capture cap, Connection c) throws Exception {
        Orders.create(cap.db, 300);
        cap.start(List.of("public.orders"), Map.of());
        cap.flush();
        try (Statement s = c.createStatement()) {
            s.execute(Orders.insert(1001, 1005));
            s.execute("UPDATE orders SET note = 'changed by others', amount = 0.01 WHERE id IN (2, 3, 4)");
            s.execute("DELETE FROM orders WHERE id IN (10, 11)");
        }
        return Capture.currentLsn(c);
    }

    private static String expected(Connection c) throws Exception {
        return Capture.contentHash(c, "orders", "id");
    }

    /**
     * An executed statement's record as the gateway writes it, in the gateway's own state schema (created from its
     * migrations the first time), continuing the hash chain: the tool's own records (copyback --apply) follow it.
     */
    private static void gatewayAuditRecord(PgDatabase db, UUID id, String completion) throws Exception {
        if (db.queryValue("SELECT to_regclass('backstop.audit')") == null) {
            GatewayStateSchema.create(db);
        }
        db.execute("INSERT INTO backstop.audit (seq, id, ts, principal, decision, record, prev_hash, row_hash)"
                        + " SELECT h.seq + 1, '" + id + "', now(), 'agent-1', 'execute', '{}', h.prev,"
                        + " encode(sha256(convert_to(h.prev || chr(10) || '{}', 'UTF8')), 'hex')"
                        + " FROM (SELECT coalesce(max(seq), 0) AS seq, coalesce((SELECT row_hash FROM backstop.audit"
                        + " ORDER BY seq DESC LIMIT 1), repeat('0', 64)) AS prev FROM backstop.audit) h",
                "UPDATE backstop.audit SET completed_at = now(), outcome = 'executed', completion = '" + completion + "',"
                        + " completion_hash = encode(sha256(convert_to(row_hash || chr(10) || '" + completion
                        + "', 'UTF8')), 'hex') WHERE id = '" + id + "'");
    }

    @Test
    void deleteWithoutWhereIsUndoneByRestoreBeforeAuditAndThePrintedMissingRowsSql(PgDatabase db, S3Endpoint s3)
            throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-delete"); Connection c = db.connect()) {
            Lsn l0 = prepare(cap, c);
            String before = expected(c);
            assertTrue(before.startsWith("303:"), before);
            // The gateway's audit row for the DELETE: its completion carries the statement's commit LSN.
            UUID auditId = UUID.randomUUID();
            gatewayAuditRecord(db, auditId, "{\"outcome\":\"executed\",\"commit_lsn\":\"" + Lsn.of(l0.value() + 1) + "\"}");
            db.execute("DELETE FROM orders");
            cap.flush();

            CliRun r = cap.run("restore", "public.orders", "--before-audit", auditId.toString(), "--into", "orders_rec");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().contains("Recovered table:  public.orders_rec\n"), r.out());
            assertTrue(r.out().contains("  ok    row count: ok (303)\n"), r.out());
            assertTrue(r.out().contains("  ok    primary key: unique (id)\n"), r.out());
            assertTrue(r.out().contains("  ok    fingerprint: ok ("), r.out());
            assertTrue(r.out().contains("Target:           just before audit " + auditId), r.out());
            assertEquals(before, Capture.contentHash(c, "orders_rec", "id"));
            // The restore is recorded in the gateway's audit chain, after the statement's own record.
            try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                    "SELECT principal, outcome, record FROM backstop.audit WHERE decision = 'restore'")) {
                assertTrue(rs.next());
                assertEquals("restore-tool", rs.getString(1));
                assertEquals("validated", rs.getString(2));
                com.fasterxml.jackson.databind.JsonNode rec = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(rs.getString(3));
                assertEquals("public.orders_rec", rec.get("recovered").asText());
                assertEquals(303, rec.get("rows").asLong());
                assertTrue(rec.get("target").asText().startsWith("just before audit " + auditId + " (commit LSN "),
                        rec.toString());
                assertFalse(rs.next());
            }
            AuditChainCheck.assertValid(db);

            CliRun diff = cap.run("diff", "orders", "orders_rec");
            assertEquals(1, diff.exitCode(), diff.toString());
            assertTrue(diff.out().contains("missing: 303 (in recovered, not in live)"), diff.out());

            String sql = Capture.script(r.out(), "missing-rows");
            // Every recovered row is missing: the digest of all their keys.
            String digest = CopybackKeyCountsIT.digest(c, "SELECT id FROM orders_rec");
            assertTrue(sql.contains("IF n <> 303 OR d <> " + digest + " THEN RAISE EXCEPTION 'backstop copyback: expected"
                    + " to insert 303 row(s) of public.orders with key digest " + digest), sql);
            int chain = AuditChainCheck.assertValid(db);
            try (Statement s = c.createStatement()) {
                s.execute(sql); // as an operator would paste it into psql
            }
            assertEquals(before, expected(c));
            // The pasted SQL recorded itself in the audit chain, in its own transaction.
            assertEquals(chain + 1, AuditChainCheck.assertValid(db));
            assertEquals("copyback applied", db.queryValue("SELECT decision || ' ' || outcome FROM backstop.audit"
                    + " ORDER BY seq DESC LIMIT 1"));
            assertEquals(0, cap.run("diff", "orders", "orders_rec").exitCode());
            assertEquals(List.of(), cap.alerts);
        }
    }

    @Test
    void truncateIsUndoneByReplaceAndASecondApplyAbortsOnItsCounts(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-truncate"); Connection c = db.connect()) {
            Lsn l0 = prepare(cap, c);
            String before = expected(c);
            db.execute("TRUNCATE orders");
            db.execute(Orders.insert(5000, 5001)); // written after the incident: replace removes them
            cap.flush();

            CliRun r = cap.run("restore", "orders", "--lsn", l0.toString());
            assertEquals(0, r.exitCode(), r.toString());
            Matcher m = RECOVERED.matcher(r.out());
            assertTrue(m.find(), r.out());
            String rec = m.group(1);
            assertTrue(rec.matches("orders__recovered_\\d{8}_\\d{6}"), rec);
            assertEquals(before, Capture.contentHash(c, rec, "id"));

            CliRun apply = cap.run("copyback", "orders", rec, "--mode", "replace", "--apply");
            assertEquals(0, apply.exitCode(), apply.toString());
            assertTrue(apply.out().startsWith("Applied copyback replace: copyback replace: public.orders <- public." + rec
                    + ": deletes all 2 live row(s), inserts 303 recovered row(s)."), apply.out());
            assertEquals(before, expected(c));

            // The printed SQL checks its counts: run against a table that changed since, it aborts and changes nothing.
            CliRun printed = cap.run("copyback", "orders", rec, "--mode", "replace");
            assertEquals(0, printed.exitCode());
            db.execute(Orders.insert(6000, 6000));
            String changed = expected(c);
            try (Statement s = c.createStatement()) {
                s.execute(printed.out());
                throw new AssertionError("copyback with stale counts committed");
            } catch (java.sql.SQLException e) {
                assertTrue(e.getMessage().contains("backstop copyback: expected to delete 303 row(s) of public.orders, got 304"),
                        e.getMessage());
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK"); // what psql's COMMIT does in an aborted transaction
                }
            }
            assertEquals(changed, expected(c));
        }
    }

    @Test
    void aTableInASchemaWhoseNameHasADotIsRestoredAndCopiedBackByItsQuotedName(PgDatabase db, S3Endpoint s3)
            throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-dotted"); Connection c = db.connect()) {
            db.execute("CREATE SCHEMA \"ops.v2\"", "CREATE TABLE \"ops.v2\".dotted (id int PRIMARY KEY, note text)",
                    "INSERT INTO \"ops.v2\".dotted SELECT g, 'n' || g FROM generate_series(1, 50) g");
            cap.start(List.of("ops.v2.*"), Map.of());
            cap.flush();
            Lsn l0 = Capture.currentLsn(c);
            String before = Capture.contentHash(c, "\"ops.v2\".dotted", "id");
            db.execute("DELETE FROM \"ops.v2\".dotted WHERE id > 10");
            cap.flush();

            CliRun ambiguous = cap.run("restore", "ops.v2.dotted", "--lsn", l0.toString());
            assertEquals(2, ambiguous.exitCode(), ambiguous.toString());
            assertTrue(ambiguous.err().contains("a name containing '.' is written in double quotes"), ambiguous.err());

            CliRun r = cap.run("restore", "\"ops.v2\".dotted", "--lsn", l0.toString());
            assertEquals(0, r.exitCode(), r.toString());
            Matcher m = Pattern.compile("Recovered table:  ops\\.v2\\.(\\S+)").matcher(r.out());
            assertTrue(m.find(), r.out());
            String rec = m.group(1);
            assertEquals(before, Capture.contentHash(c, "\"ops.v2\"." + rec, "id"));
            assertTrue(r.out().contains("(apply: backstop restore copyback '\"ops.v2\".dotted' " + rec
                    + " --mode missing-rows --apply)"), r.out());

            CliRun apply = cap.run("copyback", "\"ops.v2\".dotted", rec, "--mode", "missing-rows", "--apply");
            assertEquals(0, apply.exitCode(), apply.toString());
            assertEquals(before, Capture.contentHash(c, "\"ops.v2\".dotted", "id"));
        }
    }

    @Test
    void droppedTableComesBackUnderItsName(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-drop"); Connection c = db.connect()) {
            Lsn l0 = prepare(cap, c);
            String before = expected(c);
            db.execute("DROP TABLE orders");
            cap.flush();

            CliRun r = cap.run("restore", "orders", "--lsn", l0.toString(), "--into", "orders_back");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().contains("ALTER TABLE \"public\".\"orders_back\" RENAME TO \"orders\";"), r.out());
            CliRun apply = cap.run("copyback", "orders", "orders_back", "--mode", "replace", "--apply");
            assertEquals(0, apply.exitCode(), apply.toString());
            assertEquals(before, expected(c));
            assertEquals("id", db.queryValue("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                    + " AND a.attnum = i.indkey[0] WHERE i.indrelid = 'orders'::regclass AND i.indisprimary"));
        }
    }

    @Test
    void droppedColumnIsAddedBackAndRefilledByUpsert(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-dropcol"); Connection c = db.connect()) {
            Lsn l0 = prepare(cap, c);
            String before = expected(c);
            db.execute("ALTER TABLE orders DROP COLUMN doc, DROP COLUMN dur");
            db.execute("UPDATE orders SET qty = -1 WHERE id = 1"); // a change with the new columns: the sidecar rebases
            cap.flush();

            CliRun r = cap.run("restore", "orders", "--lsn", l0.toString(), "--into", "orders_cols", "--mode", "upsert");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(before, Capture.contentHash(c, "orders_cols", "id"));
            String sql = Capture.script(r.out(), "upsert");
            assertTrue(sql.contains("ALTER TABLE \"public\".\"orders\" ADD COLUMN \"doc\" jsonb;"), sql);
            String digest = CopybackKeyCountsIT.digest(c, "SELECT id FROM orders_cols");
            assertTrue(sql.contains("IF n <> 303 OR d <> " + digest + " THEN RAISE EXCEPTION 'backstop copyback: expected"
                    + " to update 303 row(s) of public.orders with key digest " + digest), sql);
            assertTrue(sql.contains("IF n <> 0 OR d <> 0 THEN RAISE EXCEPTION 'backstop copyback: expected to insert 0"),
                    sql);
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            // Columns come back at the end: compare in the original column order.
            assertEquals(before, Capture.contentHash(c, "(SELECT " + Orders.COLUMNS + " FROM orders)", "id"));
        }
    }

    @Test
    void tamperedDataFileRestoresNothing(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-tamper"); Connection c = db.connect()) {
            Lsn l0 = prepare(cap, c);
            db.execute("DELETE FROM orders");
            cap.flush();
            var vm = cap.sidecar.flush(List.of(cap.table("public.orders")), java.time.Duration.ofSeconds(60))
                    .orElseThrow().manifests().get(cap.table("public.orders"));
            String base = vm.manifest().baseFiles().get(0).key();
            try (var client = s3.newClient()) {
                byte[] data = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(base)).asByteArray();
                data[data.length / 2] ^= 0x01;
                client.putObject(b -> b.bucket(s3.bucket()).key(base),
                        software.amazon.awssdk.core.sync.RequestBody.fromBytes(data));
            }
            CliRun r = cap.run("restore", "orders", "--lsn", l0.toString(), "--into", "orders_bad");
            assertEquals(1, r.exitCode(), r.toString());
            assertFalse(r.out().contains("BEGIN;"), r.out());
            assertTrue(r.err().contains("failed verification, nothing was restored"), r.err());
            assertTrue(r.err().contains(base + " SHA-256 is "), r.err());
            assertEquals(Boolean.FALSE, db.queryValue("SELECT to_regclass('public.orders_bad') IS NOT NULL"));
        }
    }

    /**
     * Base files are checked while the first ones load (each before it is read): a later part that fails its check
     * fails the load, possibly after rows of an earlier part went in, and the new table is dropped all the same.
     */
    @Test
    void aTamperedLaterBasePartFailsTheLoadAndLeavesNoTable(PgDatabase db, S3Endpoint s3) throws Exception {
        db.execute("CREATE TABLE parts (id bigint PRIMARY KEY, note text)",
                "INSERT INTO parts SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 60000) g");
        try (Capture cap = new Capture(db, s3, dir, "e2e-parts")) {
            cap.extraConfig.add("  partBytes: 1048576"); // in the sidecar section: parts of ~1 MiB
            cap.start(List.of("public.parts"), Map.of());
            var vm = cap.sidecar.flush(List.of(cap.table("public.parts")), java.time.Duration.ofSeconds(60))
                    .orElseThrow().manifests().get(cap.table("public.parts"));
            List<dev.backstop.snapshot.ManifestFile> bases = vm.manifest().baseFiles();
            assertTrue(bases.size() >= 2, "base parts: " + bases.size());
            String covered = vm.manifest().coveredLsn().toString();
            String last = bases.get(bases.size() - 1).key();
            byte[] original;
            try (var client = s3.newClient()) {
                original = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(last)).asByteArray();
                byte[] changed = original.clone();
                changed[changed.length / 2] ^= 0x01;
                client.putObject(b -> b.bucket(s3.bucket()).key(last),
                        software.amazon.awssdk.core.sync.RequestBody.fromBytes(changed));
            }
            CliRun bad = cap.run("restore", "parts", "--lsn", covered, "--into", "parts_bad");
            assertEquals(1, bad.exitCode(), bad.toString());
            assertFalse(bad.out().contains("BEGIN;"), bad.out());
            assertTrue(bad.err().contains("failed verification, nothing was restored"), bad.err());
            assertTrue(bad.err().contains("file " + last + " SHA-256 is "), bad.err());
            assertEquals(Boolean.FALSE, db.queryValue("SELECT to_regclass('public.parts_bad') IS NOT NULL"));

            try (var client = s3.newClient()) {
                client.putObject(b -> b.bucket(s3.bucket()).key(last),
                        software.amazon.awssdk.core.sync.RequestBody.fromBytes(original));
            }
            CliRun good = cap.run("restore", "parts", "--lsn", covered, "--into", "parts_good");
            assertEquals(0, good.exitCode(), good.toString());
            assertTrue(good.out().contains("files: ok (" + vm.manifest().files().size() + " files, "), good.out());
            try (Connection c = db.connect()) {
                assertEquals(Capture.contentHash(c, "parts", "id"), Capture.contentHash(c, "parts_good", "id"));
            }
        }
    }

    @Test
    void notYetCapturedTargetAndExistingTargetAreRefused(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-exists"); Connection c = db.connect()) {
            Lsn l0 = prepare(cap, c);
            // Others' writes are not durable in S3 yet: no recovery point can prove the table at l0.
            CliRun early = cap.run("restore", "orders", "--lsn", l0.toString(), "--into", "orders_early");
            assertEquals(1, early.exitCode(), early.toString());
            assertTrue(early.err().contains("no current heartbeat proves later changes durable; flush the sidecar and retry"),
                    early.err());
            assertEquals("", early.out());
            cap.flush();
            db.execute("CREATE TABLE orders_taken (x int)");
            CliRun r = cap.run("restore", "orders", "--lsn", l0.toString(), "--into", "orders_taken");
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.err().startsWith("refused: table public.orders_taken already exists"), r.err());
        }
    }
    @Test
    void replaceIsRefusedWhenItsDeleteWouldReachOtherTablesAndAColumnNamedNIsCopiedBack(PgDatabase db, S3Endpoint s3)
            throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "e2e-replace-guards"); Connection c = db.connect()) {
            db.execute("CREATE TABLE tallies (id int PRIMARY KEY, n int)",
                    "INSERT INTO tallies SELECT g, g * 10 FROM generate_series(1, 50) g",
                    "CREATE TABLE tally_notes (id int PRIMARY KEY, tally_id int REFERENCES tallies ON DELETE CASCADE)",
                    "INSERT INTO tally_notes VALUES (1, 1), (2, 2)");
            cap.start(List.of("public.tallies"), Map.of());
            cap.flush();
            Lsn l0 = Capture.currentLsn(c);
            String before = Capture.contentHash(c, "tallies", "id");
            db.execute("UPDATE tallies SET n = 0");
            cap.flush();
            CliRun r = cap.run("restore", "tallies", "--lsn", l0.toString(), "--into", "tallies_rec");
            assertEquals(0, r.exitCode(), r.toString());

            // The DELETE of replace would cascade into tally_notes: refused, nothing touched.
            CliRun refused = cap.run("copyback", "tallies", "tallies_rec", "--mode", "replace", "--apply");
            assertEquals(1, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("ON DELETE CASCADE") && refused.err().contains("tally_notes"), refused.err());
            assertEquals(2L, ((Number) db.queryValue("SELECT count(*) FROM tally_notes")).longValue());

            // Without the cascading key, replace runs, and a column named n (the block's row-count variable) is
            // copied as the column, not the variable.
            db.execute("ALTER TABLE tally_notes DROP CONSTRAINT tally_notes_tally_id_fkey");
            CliRun applied = cap.run("copyback", "tallies", "tallies_rec", "--mode", "replace", "--apply");
            assertEquals(0, applied.exitCode(), applied.toString());
            assertEquals(before, Capture.contentHash(c, "tallies", "id"));

            // A table that never had the validated comment (made by hand, or a restore killed before marking it).
            db.execute("CREATE TABLE tallies_handmade (LIKE tallies INCLUDING ALL)");
            CliRun handmade = cap.run("copyback", "tallies", "tallies_handmade", "--mode", "upsert");
            assertEquals(1, handmade.exitCode(), handmade.toString());
            assertTrue(handmade.err().contains("was never validated"), handmade.err());
        }
    }
}
