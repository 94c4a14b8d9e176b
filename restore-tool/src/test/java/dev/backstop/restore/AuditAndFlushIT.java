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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the real sidecar: `--before-audit` given the agent's request id (the request went to approval) follows the
 * approval to its execution; a target not captured yet makes the tool ask the sidecar to flush (or say how to by
 * hand); `--at` says plainly what it restores; `show` folds the sidecar's keep-alive points.
 */
@ExtendWith({EmbeddedPostgresExtension.class, S3ServerExtension.class})
class AuditAndFlushIT {
    private static final String OPERATOR = "oncall-operator";

    @TempDir
    Path dir;

    /** The gateway's state schema, from its own Flyway migrations (a fresh one for each test). */
    private static void stateSchema(PgDatabase db) throws Exception {
        db.execute("DROP SCHEMA IF EXISTS backstop CASCADE");
        GatewayStateSchema.create(db);
    }

    /** A record as the gateway writes it, after whatever the chain holds (the restore tool appends its own too). */
    private static void audit(PgDatabase db, UUID id, String principal, String decision, UUID approval, String completion)
            throws Exception {
        long seq = ((Number) db.queryValue("SELECT coalesce(max(seq), 0) + 1 FROM backstop.audit")).longValue();
        db.execute("INSERT INTO backstop.audit (seq, id, ts, principal, decision, risk, approval_id, record, prev_hash,"
                + " row_hash, completed_at, outcome, completion) VALUES (" + seq + ", '" + id + "', now(), '" + principal
                + "', '" + decision + "', 'CRITICAL', " + (approval == null ? "NULL" : "'" + approval + "'")
                + ", '{}', 'p" + seq + "', 'r" + seq + "', now(), "
                + "'" + completion.replaceAll(".*\"outcome\":\"([a-z_]+)\".*", "$1") + "', '" + completion + "')");
    }

    /** The agent's DELETE: held for approval. Its audit record names the approval; the approval names the record. */
    private static UUID request(PgDatabase db, UUID approval, String status, String decidedBy, UUID execution)
            throws Exception {
        UUID req = UUID.randomUUID();
        audit(db, req, "agent-1", "approval_required", approval,
                "{\"approval_id\":\"" + approval + "\",\"outcome\":\"approval_required\",\"status\":202}");
        db.execute("INSERT INTO backstop.approvals (id, created_at, expires_at, requested_by, request_audit_id, sql_text,"
                + " sql_scrubbed, sql_sha256, policy_version, risk, reasons, statements, gate_required, gate_tables,"
                + " status, decided_by, decided_at, finished_at, result) VALUES ('" + approval + "',"
                + " '2026-11-26T09:00:00Z', '2026-11-26T10:00:00Z', 'agent-1', '" + req + "', 'DELETE FROM orders',"
                + " 'DELETE FROM orders', 'x', 'sha256:p', 'CRITICAL', '[]', '[]', true, '[\"public.orders\"]', '"
                + status + "', " + (decidedBy == null ? "NULL, NULL" : "'" + decidedBy + "', '2026-11-26T09:05:00Z'")
                + ", " + (execution == null ? "NULL, NULL" : "'2026-11-26T09:05:01Z', '{\"status\":\"executed\","
                + "\"row_count\":303,\"approval_id\":\"" + approval + "\",\"audit_id\":\"" + execution + "\"}'") + ")");
        return req;
    }

    /** The operator's approve record of {@code approval}, completed with {@code outcome} and {@code commitLsn}. */
    private static void execution(PgDatabase db, UUID id, UUID approval, String outcome, String commitLsn)
            throws Exception {
        audit(db, id, OPERATOR, "approve", approval, "{\"approval_id\":\"" + approval + "\",\"commit_lsn\":\""
                + commitLsn + "\",\"outcome\":\"" + outcome + "\",\"status\":200}");
    }

    /** {@code --before-audit request} follows approval {@code approval} to {@code execution}, saying {@code kind}. */
    private static void assertFollowed(Capture cap, UUID request, UUID approval, UUID execution, String kind)
            throws Exception {
        CliRun r = cap.run("restore", "orders", "--before-audit", request.toString(), "--dry-run");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("Following approval " + approval + " (" + kind + "): restoring before audit record " + execution
                + " (its execution), not " + request + " (the request, which ran nothing)\n", r.err());
        assertTrue(r.out().contains("Rows at target:   301\n"), r.out());
    }

    @Test
    void agentsRequestIdIsFollowedToTheApprovedExecutionAndTheSidecarIsAskedToFlush(PgDatabase db, S3Endpoint s3)
            throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "audit-follow"); Connection c = db.connect()) {
            stateSchema(db);
            Orders.create(db, 300);
            cap.start(List.of("public.orders"), Map.of());
            cap.flush();
            db.execute(Orders.insert(1001, 1003), "DELETE FROM orders WHERE id IN (10, 11)");
            Lsn l0 = Capture.currentLsn(c);
            String before = Capture.contentHash(c, "orders", "id");
            assertTrue(before.startsWith("301:"), before);

            // The agent's DELETE is held (its audit id is what the agent gets back); the operator's approval runs it.
            UUID approval = UUID.randomUUID();
            UUID execution = UUID.randomUUID();
            UUID req = request(db, approval, "executed", OPERATOR, execution);
            audit(db, execution, OPERATOR, "approve", approval, "{\"approval_id\":\"" + approval + "\",\"commit_lsn\":\""
                    + Lsn.of(l0.value() + 1) + "\",\"outcome\":\"executed\",\"recovery_points\":[{\"covered_lsn\":\"0/1\","
                    + "\"manifest_key\":\"no/such/manifest.json\",\"table\":\"public.orders\"}],\"status\":200}");
            db.execute("DELETE FROM orders");
            // No flush: the DELETE and the writes before it are not durable in S3 yet. The tool asks the sidecar.
            cap.withSidecarUrl(null);

            CliRun r = cap.run("restore", "public.orders", "--before-audit", req.toString(), "--into", "orders_rec");
            assertEquals(0, r.exitCode(), r.toString());
            List<String> err = r.err().lines().toList();
            assertEquals("Following approval " + approval + " (executed, approved by " + OPERATOR
                    + " at 2026-11-26T09:05:00Z): restoring before audit record " + execution
                    + " (its execution), not " + req + " (the request, which ran nothing)", err.get(0), r.err());
            assertEquals("Not captured yet: asking the sidecar to flush (POST http://127.0.0.1:" + cap.sidecar.httpPort()
                    + "/flush, waiting up to 35 s)...", err.get(1), r.err());
            assertTrue(err.get(2).matches("Sidecar flushed: durable up to [0-9A-F]+/[0-9A-F]+ in [0-9.]+ s; choosing the"
                    + " recovery point again\\."), r.err());
            assertTrue(r.out().contains("Target:           just before audit " + execution + " (commit LSN "
                    + Lsn.of(l0.value() + 1) + "), the approved execution of request " + req + "\n"), r.out());
            assertEquals(before, Capture.contentHash(c, "orders_rec", "id"));

            // The execution's own id still works, and needs no flush now.
            CliRun direct = cap.run("restore", "orders", "--before-audit", execution.toString(), "--dry-run");
            assertEquals(0, direct.exitCode(), direct.toString());
            assertEquals("", direct.err());
            assertTrue(direct.out().contains("Rows at target:   301\n"), direct.out());

            // An approval that did not execute: nothing ran, nothing to restore before; the approval is named.
            String nothing = ": nothing ran, so there is nothing to restore before\n";
            for (String[] k : new String[][] {
                    {"pending", null, " is pending (waiting for an operator, expires at 2026-11-26T10:00:00Z)" + nothing},
                    {"denied", OPERATOR, " is denied (denied by " + OPERATOR + " at 2026-11-26T09:05:00Z)" + nothing},
                    {"expired", null, " is expired (no operator decided before 2026-11-26T10:00:00Z)" + nothing},
                    {"failed", OPERATOR, " is failed (approved by " + OPERATOR
                            + "; PostgreSQL refused the statement and its transaction was rolled back)" + nothing},
                    {"blocked", OPERATOR, " is blocked (approved by " + OPERATOR
                            + ", then refused by the policy or the recovery gate at execution)" + nothing}}) {
                UUID a = UUID.randomUUID();
                UUID q = request(db, a, k[0], k[1], null);
                CliRun refused = cap.run("restore", "orders", "--before-audit", q.toString(), "--dry-run");
                assertEquals(1, refused.exitCode(), refused.toString());
                assertEquals("error: audit record " + q + " is an agent's request that went to approval; approval " + a
                        + k[2], refused.err());
                assertEquals("", refused.out());
            }
            // Its COMMIT lost the connection: it may have committed. The approval names its execution's record,
            // which is followed (restoring before it is right either way).
            String commitLsn = Lsn.of(l0.value() + 1).toString();
            UUID unknownApproval = UUID.randomUUID();
            UUID unknownExecution = UUID.randomUUID();
            UUID unknownRequest = request(db, unknownApproval, "outcome_unknown", OPERATOR, null);
            db.execute("UPDATE backstop.approvals SET finished_at = now(), error = '{\"code\":\"outcome_unknown\","
                    + "\"audit_id\":\"" + unknownExecution + "\"}' WHERE id = '" + unknownApproval + "'");
            execution(db, unknownExecution, unknownApproval, "outcome_unknown", commitLsn);
            assertFollowed(cap, unknownRequest, unknownApproval, unknownExecution, "outcome unknown, approved by "
                    + OPERATOR + " at 2026-11-26T09:05:00Z; it may have committed");

            // The same recorded as "failed" by an older gateway, without the execution's id: never "nothing ran".
            UUID legacy = UUID.randomUUID();
            UUID legacyRequest = request(db, legacy, "failed", OPERATOR, null);
            db.execute("UPDATE backstop.approvals SET error = '{\"code\":\"outcome_unknown\"}' WHERE id = '" + legacy
                    + "'");
            CliRun legacyRun = cap.run("restore", "orders", "--before-audit", legacyRequest.toString(), "--dry-run");
            assertEquals(1, legacyRun.exitCode(), legacyRun.toString());
            assertEquals("error: audit record " + legacyRequest + " is an agent's request that went to approval; approval "
                    + legacy + " is failed (approved by " + OPERATOR + " at 2026-11-26T09:05:00Z; the connection broke"
                    + " while its COMMIT ran, or the gateway running it stopped, so it may have committed) but neither"
                    + " the approval nor the audit chain names its execution's audit record: restore with --lsn or --at"
                    + " instead (it cannot have committed before it was approved, at 2026-11-26T09:05:00Z)\n",
                    legacyRun.err());
            // ... and once the chain has its execution's record (the operator's approve, outcome_unknown), it is found.
            UUID legacyExecution = UUID.randomUUID();
            execution(db, legacyExecution, legacy, "outcome_unknown", commitLsn);
            assertFollowed(cap, legacyRequest, legacy, legacyExecution, "outcome unknown, approved by " + OPERATOR
                    + " at 2026-11-26T09:05:00Z; it may have committed");

            // Executed, but the gateway stopped before updating the approval: the audit chain has the outcome.
            UUID stuck = UUID.randomUUID();
            UUID stuckRequest = request(db, stuck, "approved", OPERATOR, null);
            UUID stuckExecution = UUID.randomUUID();
            execution(db, stuckExecution, stuck, "executed", commitLsn);
            assertFollowed(cap, stuckRequest, stuck, stuckExecution, "still 'approved' in backstop.approvals, but its"
                    + " execution's audit record has outcome executed, approved by " + OPERATOR
                    + " at 2026-11-26T09:05:00Z");

            // Executing right now (claimed, no outcome yet): not guessed either.
            UUID a = UUID.randomUUID();
            UUID q = request(db, a, "approved", OPERATOR, null);
            CliRun running = cap.run("restore", "orders", "--before-audit", q.toString(), "--dry-run");
            assertEquals(1, running.exitCode(), running.toString());
            assertTrue(running.err().contains("approval " + a + " is approved (approved by " + OPERATOR
                    + " at 2026-11-26T09:05:00Z) but its execution has not finished"), running.err());
            assertTrue(running.err().contains("restore with --at a time a little before 2026-11-26T09:05:00Z"
                    + " (docs/operations.md \"approval-outcome-not-recorded\")"), running.err());
        }
    }

    @Test
    void aSidecarThatCannotBeAskedGetsTheCurlToRunByHand(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "flush-by-hand"); Connection c = db.connect()) {
            Orders.create(db, 50);
            cap.start(List.of("public.orders"), Map.of());
            db.execute("UPDATE orders SET qty = 0 WHERE id = 1");
            Lsn l0 = Capture.currentLsn(c);

            // No URL the tool can use (the test sidecar listens on a random port, and no gateway section names it).
            Path config = cap.config();
            CliRun unknown = cap.run("restore", "orders", "--lsn", l0.toString(), "--dry-run");
            assertEquals(1, unknown.exitCode(), unknown.toString());
            assertTrue(unknown.err().startsWith("error: no usable recovery point of " + cap.table("public.orders")
                    + " for " + l0 + " yet: no recovery point of "), unknown.err());
            assertTrue(unknown.err().contains("flush the sidecar and retry\nThe configuration (" + config
                    + ") does not say where the sidecar's HTTP endpoint is or its token (gateway.sidecarUrl or "
                    + "sidecar.httpPort, and sidecar.httpToken), so this tool cannot ask it to flush. Flush it by hand, "
                    + "then run this command again:\n  curl -sS -X POST 'http://<sidecar host>:<sidecar.httpPort>/flush'"
                    + " -H 'Authorization: Bearer <sidecar.httpToken of " + config + ">' -H 'Content-Type: "
                    + "application/json' -d '{\"tables\":[\"public.orders\"]}'\n"), unknown.err());

            // A URL that does not answer: the error says so, with the exact curl (the token by its variable).
            cap.extraConfig.addAll(List.of("gateway:", "  sidecarUrl: http://127.0.0.1:9/"));
            Path withVariable = dir.resolve("token-from-variable.yml");
            java.nio.file.Files.writeString(withVariable, java.nio.file.Files.readString(cap.config())
                    .replace("httpToken: test-token-0123456789", "httpToken: ${T_TOKEN}"));
            CliRun down = CliRun.run(withToken(cap.env()), Instant.now(), dir, "--config", withVariable.toString(),
                    "restore", "orders", "--lsn", l0.toString(), "--dry-run");
            assertEquals(1, down.exitCode(), down.toString());
            assertTrue(down.err().startsWith("Not captured yet: asking the sidecar to flush (POST "
                    + "http://127.0.0.1:9/flush, waiting up to 35 s)...\n"), down.err());
            assertTrue(down.err().contains("\nThis tool asked the sidecar to flush (POST http://127.0.0.1:9/flush) and it "
                    + "cannot be reached (ConnectException"), down.err());
            assertTrue(down.err().endsWith("Flush it by hand, then run this command again:\n  curl -sS -X POST "
                    + "'http://127.0.0.1:9/flush' -H \"Authorization: Bearer $T_TOKEN\" -H 'Content-Type: "
                    + "application/json' -d '{\"tables\":[\"public.orders\"]}'\n"), down.err());
            assertFalse(down.err().contains("secret-token-0123456789"), down.err());
            assertEquals("", down.out());
        }
    }

    private static Map<String, String> withToken(Map<String, String> env) {
        Map<String, String> m = new java.util.HashMap<>(env);
        m.put("T_TOKEN", "secret-token-0123456789");
        return m;
    }

    @Test
    void atSaysWhatItRestoresAndShowFoldsTheSidecarsKeepAlivePoints(PgDatabase db, S3Endpoint s3) throws Exception {
        try (Capture cap = new Capture(db, s3, dir, "at-show"); Connection c = db.connect()) {
            Orders.create(db, 40);
            cap.start(List.of("public.orders"), Map.of());
            String baseId;
            try (var store = new dev.backstop.snapshot.store.S3ObjectStore(s3.newClient(), s3.bucket())) {
                baseId = new dev.backstop.snapshot.RecoveryPointCatalog(store, new dev.backstop.snapshot.SnapshotKeys(
                        cap.settings.prefix())).listRecoveryPoints(cap.table("public.orders")).get(0).recoveryPointId();
            }
            Thread.sleep(20);
            Instant quiet = now(c);
            // Flushes without a change: keep-alive points (same files, the covered LSN moves with the heartbeat).
            List<String> keepAlive1 = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                keepAlive1.add(flushedId(cap));
            }
            Instant beforeChange = now(c);
            db.execute("UPDATE orders SET qty = -1 WHERE id = 7");
            Lsn changeLsn = Capture.currentLsn(c);
            Thread.sleep(20);
            Instant after = now(c);
            String deltaId = flushedId(cap);
            List<String> keepAlive2 = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                keepAlive2.add(flushedId(cap));
            }
            String latest = keepAlive2.remove(2);

            CliRun all = cap.run("show", "orders", "--all");
            assertEquals(0, all.exitCode(), all.toString());
            List<String> allLines = all.outLines();
            List<String> every = allLines.subList(allLines.indexOf("Recovery points (oldest first):") + 2,
                    allLines.size()).stream().map(l -> l.trim().split(" ")[0]).toList();
            assertEquals(baseId, every.get(0), all.out());
            assertTrue(every.containsAll(keepAlive1) && every.containsAll(keepAlive2), all.out());
            int delta = every.indexOf(deltaId);
            assertEquals(List.of(deltaId, keepAlive2.get(0), keepAlive2.get(1), latest),
                    every.subList(delta, every.size()), all.out());

            CliRun show = cap.run("show", "orders");
            assertEquals(0, show.exitCode(), show.toString());
            List<String> lines = show.outLines();
            List<String> listed = lines.subList(lines.indexOf("Recovery points (oldest first):") + 2, lines.size());
            assertEquals(5, listed.size(), show.out());
            assertTrue(listed.get(0).startsWith("  " + baseId + "  "), show.out());
            assertTrue(listed.get(1).startsWith("  ... and " + (delta - 1) + " keep-alive points up to "
                    + Lsn.parseKeyForm(keepAlive1.get(3).substring(0, 16)) + " at "), show.out());
            assertTrue(listed.get(1).endsWith(" (--all lists each)"), show.out());
            assertTrue(listed.get(2).startsWith("  " + deltaId + "  "), show.out());
            assertTrue(listed.get(3).startsWith("  ... and 2 keep-alive points up to "
                    + Lsn.parseKeyForm(keepAlive2.get(1).substring(0, 16)) + " at "), show.out());
            assertTrue(listed.get(4).startsWith("  " + latest + "  ") && listed.get(4).endsWith("latest"), show.out());

            // --at needs a recovery point that proves every commit up to that time is in it: the table's own change,
            // or a heartbeat row written more than a second after it and covered. Later than every heartbeat row so
            // far: refused (the tool cannot flush here, no sidecar endpoint is configured), though the recovery points
            // were written after that time.
            Instant late = now(c);
            CliRun unproven = cap.run("restore", "orders", "--at", late.toString(), "--dry-run");
            assertEquals(1, unproven.exitCode(), unproven.toString());
            assertTrue(unproven.err().contains("prove every change only up to"), unproven.err());
            Thread.sleep(1100);
            cap.flush();
            CliRun atBase = cap.run("restore", "orders", "--at", quiet.toString(), "--dry-run");
            assertEquals(0, atBase.exitCode(), atBase.toString());
            assertTrue(atBase.out().contains("Target:           as of " + quiet + ": the table as in its base snapshot"
                    + " (LSN "), atBase.out());
            assertTrue(atBase.out().contains("): no change to it committed after that and at or before " + quiet + "\n"),
                    atBase.out());
            assertTrue(atBase.out().contains("Rows at target:   40\n"), atBase.out());

            CliRun atChange = cap.run("restore", "orders", "--at", after.toString(), "--dry-run");
            assertEquals(0, atChange.exitCode(), atChange.toString());
            String target = atChange.out().lines().filter(l -> l.startsWith("Target:")).findFirst().orElseThrow();
            assertTrue(target.startsWith("Target:           as of " + after + ": the table right after its last change "
                    + "committed at or before then (committed at "), target);
            int at = target.indexOf("(committed at ") + 14;
            Instant committed = Instant.parse(target.substring(at, target.indexOf(',', at)));
            assertFalse(committed.isBefore(beforeChange.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), target);
            assertFalse(committed.isAfter(after), target);
            Lsn commit = Lsn.parse(target.substring(target.indexOf("commit LSN ") + 11, target.length() - 1));
            assertTrue(commit.compareTo(changeLsn) <= 0, target + " vs " + changeLsn);
            assertTrue(atChange.out().contains("Rows at target:   40\n"), atChange.out());
        }
    }

    private static String flushedId(Capture cap) throws Exception {
        return cap.flush().manifests().get(cap.table("public.orders")).manifest().recoveryPointId();
    }

    private static Instant now(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }
}
