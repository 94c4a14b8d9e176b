package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.QuarantineMarker;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** list / show / verify against recovery points written by snapshot-format into a real S3 server. */
@ExtendWith(S3ServerExtension.class)
class RestoreCliIT {

    static final TableRef ORDERS = new TableRef("app", "public", "orders");
    static final TableRef ITEMS = new TableRef("app", "public", "items");
    static final Instant T0900 = Instant.parse("2026-11-26T09:00:00Z");
    static final Instant T1000 = Instant.parse("2026-11-26T10:00:00Z");
    static final Instant T1001 = Instant.parse("2026-11-26T10:01:00Z");
    static final Instant NOW = Instant.parse("2026-11-26T10:05:00Z");
    static final String ORDERS_OLD = "0000000000000100-1795683600000";
    static final String ORDERS_LATEST = "00000000000002A0-1795687200000";
    static final String ITEMS_LATEST = "0000000000000150-1795687260000";

    @TempDir
    Path dir;

    private RecoveryPoints points;
    private Map<String, String> env;
    private Path config;
    private VerifiedManifest ordersLatest;
    private VerifiedManifest itemsLatest;

    @BeforeEach
    void publish(S3Endpoint s3, TestInfo test) throws Exception {
        // Each test gets its own prefix in the class's bucket, so tests cannot see each other's points.
        String prefix = "bs-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
        points = new RecoveryPoints(s3, prefix, dir);
        points.publish(ORDERS, "0/100", T0900, 2);
        ordersLatest = points.publish(ORDERS, "0/2A0", T1000, 3);
        itemsLatest = points.publish(ITEMS, "0/150", T1001, 1);
        config = points.writeConfig(dir.resolve("config.yml"));
        env = Map.of("TEST_ACCESS_KEY", s3.accessKey(), "TEST_SECRET_KEY", s3.secretKey());
    }

    @AfterEach
    void close() {
        points.close();
    }

    private CliRun run(String... args) {
        return CliRun.runWithConfig(env, NOW, dir, config, args);
    }

    @Test
    void listShowsEveryTableWithItsLatestPoint() {
        CliRun r = run("list");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(
                "TABLE              STATUS  LATEST RECOVERY POINT           COVERED LSN  COMMIT TIME           CREATED  ROWS  POINTS",
                "app:public.items   ok      " + ITEMS_LATEST + "  0/150        2026-11-26T10:00:59Z  4m ago   1     1",
                "app:public.orders  ok      " + ORDERS_LATEST + "  0/2A0        2026-11-26T09:59:59Z  5m ago   3     2"),
                r.outLines());
        assertEquals("", r.err());
    }

    @Test
    void listAsJson() throws Exception {
        CliRun r = run("list", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode tables = new ObjectMapper().readTree(r.out()).get("tables");
        assertEquals(2, tables.size());
        JsonNode orders = tables.get(1);
        assertEquals("public.orders", orders.get("table").asText());
        assertEquals("app", orders.get("database").asText());
        assertEquals("ok", orders.get("status").asText());
        assertEquals(ORDERS_LATEST, orders.get("recovery_point_id").asText());
        assertEquals(ordersLatest.key(), orders.get("manifest_key").asText());
        assertEquals("0/2A0", orders.get("covered_lsn").asText());
        assertEquals(3, orders.get("total_rows").asLong());
        assertEquals(2, orders.get("recovery_points").asInt());
        assertEquals(0, orders.get("problems").size());
    }

    @Test
    void showPrintsTheLatestManifestAndEveryPoint() {
        CliRun r = run("show", "orders");
        assertEquals(0, r.exitCode(), r.toString());
        ManifestFile base = ordersLatest.manifest().files().get(0);
        assertEquals(List.of(
                "Table:           app:public.orders",
                "Status:          ok",
                "Latest:          " + ORDERS_LATEST,
                "Manifest:        " + ordersLatest.key() + " (sha256 " + ordersLatest.manifest().manifestSha256() + ")",
                "Covered LSN:     0/2A0 (commit time 2026-11-26T09:59:59Z)",
                "Created:         2026-11-26T10:00:00Z (5m ago)",
                "Base snapshot:   " + ORDERS_LATEST + " at LSN 0/2A0",
                "Source:          database app, system id 7311111111111111111, timeline 1, sidecar sidecar-1, slot backstop",
                "Total rows:      3",
                "Primary key:     id",
                "Columns:",
                "  NAME  TYPE    NULL",
                "  id    bigint  not null",
                "  note  text    null",
                "Files:",
                "  KIND  KEY" + " ".repeat(base.key().length() - 1) + "BYTES" + " ".repeat(Math.max(2, base.bytes().toString().length() - 3)) + "ROWS  LSN RANGE",
                "  base  " + base.key() + "  " + base.bytes() + " ".repeat(Math.max(2, 7 - base.bytes().toString().length())) + "3     0/2A0..0/2A0",
                "Recovery points (oldest first):",
                "  RECOVERY POINT                  COVERED LSN  NOTE",
                "  " + ORDERS_OLD + "  0/100",
                "  " + ORDERS_LATEST + "  0/2A0        latest"),
                r.outLines());
        assertTrue(base.key().startsWith("bs-showprintsthelatestmanifestandeverypoint/tables/app/public.orders/base/"),
                base.key());
    }

    @Test
    void showCollapsesRunsOfKeepAlivePointsAndAllListsEach() throws Exception {
        TableRef idle = new TableRef("app", "public", "idle");
        VerifiedManifest base = points.publish(idle, "0/100", T0900, 2);
        List<String> ids = new java.util.ArrayList<>(List.of(base.manifest().recoveryPointId()));
        VerifiedManifest prev = base;
        for (int i = 1; i <= 10; i++) { // 0/110 .. 0/1A0, every 10 s
            prev = points.keepAlive(prev, "0/1" + Integer.toHexString(i) + "0", T0900.plusSeconds(10L * i));
            ids.add(prev.manifest().recoveryPointId());
        }
        for (int i = 11; i <= 12; i++) { // 0/1B0, 0/1C0
            prev = points.keepAlive(prev, "0/1" + Integer.toHexString(i) + "0", T0900.plusSeconds(10L * i));
            ids.add(prev.manifest().recoveryPointId());
        }
        VerifiedManifest rebased = points.publish(idle, "0/1D0", T0900.plusSeconds(130), 3); // new files: shown
        ids.add(rebased.manifest().recoveryPointId());
        VerifiedManifest single = points.keepAlive(rebased, "0/1E0", T0900.plusSeconds(140)); // a run of one: shown
        ids.add(single.manifest().recoveryPointId());
        VerifiedManifest latest = points.keepAlive(single, "0/1F0", T0900.plusSeconds(150)); // the latest: shown
        ids.add(latest.manifest().recoveryPointId());
        // A quarantined keep-alive point is shown with its note and splits the run around it.
        new RecoveryPointCatalog(points.store(), points.keys()).putQuarantine(
                new QuarantineMarker(1, idle, ids.get(5), "looked odd", "alice", T1001));

        CliRun r = run("show", "public.idle");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.outLines();
        List<String> listed = lines.subList(lines.indexOf("Recovery points (oldest first):") + 1, lines.size());
        assertEquals(List.of(
                "  RECOVERY POINT                  COVERED LSN  NOTE",
                "  " + ids.get(0) + "  0/100",
                "  ... and 4 keep-alive points up to 0/140 at 2026-11-26T09:00:40Z (--all lists each)",
                "  " + ids.get(5) + "  0/150        quarantined by alice at 2026-11-26T10:01:00Z: looked odd",
                "  ... and 7 keep-alive points up to 0/1C0 at 2026-11-26T09:02:00Z (--all lists each)",
                "  " + ids.get(13) + "  0/1D0",
                "  " + ids.get(14) + "  0/1E0",
                "  " + ids.get(15) + "  0/1F0        latest"), listed);

        CliRun every = run("show", "public.idle", "--all");
        assertEquals(0, every.exitCode(), every.toString());
        List<String> all = every.outLines();
        List<String> allListed = all.subList(all.indexOf("Recovery points (oldest first):") + 2, all.size());
        assertEquals(ids.size(), allListed.size(), every.out());
        for (int i = 0; i < ids.size(); i++) {
            assertTrue(allListed.get(i).startsWith("  " + ids.get(i) + "  "), allListed.get(i));
        }
    }

    @Test
    void showOfATableWithoutPointsFails() {
        CliRun r = run("show", "public.missing");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("No recovery point for app:public.missing under s3://" + points.store().bucket()
                + "/bs-showofatablewithoutpointsfails/tables/app/public.missing/\n", r.out());
    }

    @Test
    void verifyDownloadsAndChecksEveryFile() {
        long bytes = ordersLatest.manifest().files().get(0).bytes();
        CliRun r = run("verify", "public.orders");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of(
                "OK      app:public.orders  " + ORDERS_LATEST + "  (full: 1 files, " + bytes + " bytes)",
                "1 of 1 verified."), r.outLines());

        CliRun older = run("verify", "orders", "--recovery-point", ORDERS_OLD, "--quick");
        assertEquals(0, older.exitCode(), older.toString());
        assertTrue(older.out().startsWith("OK      app:public.orders  " + ORDERS_OLD + "  (files-present: 1 files, "),
                older.out());
    }

    @Test
    void verifyAllFailsWhenADataFileChanged() {
        ManifestFile itemsFile = itemsLatest.manifest().files().get(0);
        byte[] original = points.store().get(itemsFile.key()).orElseThrow();
        byte[] changed = original.clone();
        changed[changed.length / 2] ^= 0x01; // same size, different content: only SHA-256 notices
        points.store().put(itemsFile.key(), changed);

        CliRun full = run("verify", "--all");
        assertEquals(1, full.exitCode(), full.toString());
        List<String> lines = full.outLines();
        assertEquals("FAILED  app:public.items  " + ITEMS_LATEST + "  (full)", lines.get(0));
        assertTrue(lines.get(1).startsWith("  - file " + itemsFile.key() + " SHA-256 is "), lines.get(1));
        assertTrue(lines.get(1).endsWith(", manifest says " + itemsFile.sha256()), lines.get(1));
        assertTrue(lines.get(2).startsWith("OK      app:public.orders  " + ORDERS_LATEST + "  (full: 1 files, "));
        assertEquals("1 of 2 verified; 1 FAILED.", lines.get(3));

        // HEAD-level check sees the new ETag as well (same size, new content).
        CliRun quick = run("verify", "items", "--quick", "--json");
        assertEquals(1, quick.exitCode(), quick.toString());
        assertTrue(quick.out().contains("\"ok\":false"), quick.out());
        assertTrue(quick.out().contains("has ETag "), quick.out());
    }

    @Test
    void quarantinedAndTamperedPointsAreReported() {
        RecoveryPointCatalog catalog = new RecoveryPointCatalog(points.store(), points.keys());
        catalog.putQuarantine(new QuarantineMarker(1, ORDERS, ORDERS_LATEST, "bad rows seen", "alice", T1001));
        String manifest = new String(points.store().get(itemsLatest.key()).orElseThrow(), StandardCharsets.UTF_8);
        points.store().put(itemsLatest.key(), manifest.replace("\"total_rows\":1", "\"total_rows\":9")
                .getBytes(StandardCharsets.UTF_8));

        CliRun list = run("list");
        assertEquals(0, list.exitCode(), list.toString());
        List<String> lines = list.outLines();
        assertTrue(lines.get(1).startsWith("app:public.items   invalid      -  "), lines.get(1));
        assertTrue(lines.get(2).startsWith("app:public.orders  quarantined  " + ORDERS_LATEST), lines.get(2));
        assertTrue(lines.get(3).startsWith("app:public.items: manifest " + itemsLatest.key() + ": "), lines.get(3));
        assertEquals("app:public.orders: recovery point " + ORDERS_LATEST + " is quarantined", lines.get(4));

        CliRun show = run("show", "public.orders");
        assertEquals(1, show.exitCode(), show.toString());
        assertTrue(show.out().contains("  " + ORDERS_LATEST
                + "  0/2A0        latest, quarantined by alice at 2026-11-26T10:01:00Z: bad rows seen\n"), show.out());

        CliRun verify = run("verify", "--all", "--quick");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.out().contains("FAILED  app:public.items  (no usable recovery point)  (files-present)\n"),
                verify.out());
        assertTrue(verify.out().contains("  - recovery point " + ORDERS_LATEST + " is quarantined\n"), verify.out());
        assertTrue(verify.out().endsWith("0 of 2 verified; 2 FAILED.\n"), verify.out());
    }

    @Test
    void quarantineByDefaultsToUserThenToTheOperatingSystemsUserName() {
        // No USER in the environment (cron, systemd, some containers): the JVM's user.name, never a made-up name.
        CliRun noUser = run("quarantine", "orders", ORDERS_OLD, "--reason", "checking");
        assertEquals(0, noUser.exitCode(), noUser.toString());
        String os = System.getProperty("user.name");
        assertEquals("Quarantined app:public.orders " + ORDERS_OLD + " (by " + os + "): checking\n", noUser.out());
        RecoveryPointCatalog catalog = new RecoveryPointCatalog(points.store(), points.keys());
        assertEquals(os, catalog.quarantine(ORDERS, ORDERS_OLD).orElseThrow().quarantinedBy());

        // This configuration's database is not reachable: the quarantine is in effect all the same (taking trust away
        // never waits for the audit), but lifting it is refused without its audit record (QuarantineAuditIT).
        assertTrue(noUser.err().startsWith("warning: the quarantine is in effect, but its audit record was not written:"
                + " cannot connect to jdbc:postgresql://localhost:5432/app"), noUser.err());
        Map<String, String> withUser = new java.util.HashMap<>(env);
        withUser.put("USER", "alice");
        CliRun lifted = CliRun.run(withUser, NOW, dir, "--config", config.toString(), "unquarantine", "orders",
                ORDERS_OLD, "--reason", "fine");
        assertEquals(1, lifted.exitCode(), lifted.toString());
        assertTrue(lifted.err().startsWith("error: the audit record of this unquarantine could not be written, so nothing"
                + " was done: cannot connect to jdbc:postgresql://localhost:5432/app"), lifted.err());
        assertEquals(os, catalog.quarantine(ORDERS, ORDERS_OLD).orElseThrow().quarantinedBy(), "still quarantined");

        CliRun byUser = CliRun.run(withUser, NOW, dir, "--config", config.toString(), "quarantine", "orders",
                ORDERS_OLD, "--reason", "mine now");
        assertEquals(0, byUser.exitCode(), byUser.toString());
        assertEquals("alice", catalog.quarantine(ORDERS, ORDERS_OLD).orElseThrow().quarantinedBy());

        CliRun explicit = CliRun.run(withUser, NOW, dir, "--config", config.toString(), "quarantine", "orders",
                ORDERS_OLD, "--reason", "again", "--by", "bob");
        assertEquals(0, explicit.exitCode(), explicit.toString());
        assertEquals("bob", catalog.quarantine(ORDERS, ORDERS_OLD).orElseThrow().quarantinedBy());
    }

    @Test
    void usageAndConfigurationErrorsExitWithTwo() {
        CliRun none = run();
        assertEquals(2, none.exitCode(), none.toString());
        assertTrue(none.err().startsWith("Missing command."), none.err());

        CliRun both = run("verify", "orders", "--all");
        assertEquals(2, both.exitCode(), both.toString());

        CliRun neither = run("verify");
        assertEquals(2, neither.exitCode(), neither.toString());

        CliRun missingFile = CliRun.run(env, NOW, dir, "--config", dir.resolve("nope.yml").toString(), "list");
        assertEquals(2, missingFile.exitCode(), missingFile.toString());
        assertEquals("error: configuration file " + dir.resolve("nope.yml") + " (given with --config) does not exist\n",
                missingFile.err());

        // Run from a folder without a config.yml (and no demo there): both files looked for, and how to name one.
        Path elsewhere = dir.resolve("elsewhere");
        CliRun noFile = CliRun.run(env, NOW, elsewhere, "list");
        assertEquals(2, noFile.exitCode(), noFile.toString());
        assertEquals("error: no configuration file: looked for " + elsewhere.resolve(".backstop-demo/config.yml")
                + " (the one `./backstop demo` writes in the folder it runs from) and " + elsewhere.resolve("config.yml")
                + "\n  Pass --config FILE (or set BACKSTOP_CONFIG=FILE) to name your config.yml; for the demo, run this"
                + " command from the folder you started `./backstop demo` in, or pass --config"
                + " <that folder>/.backstop-demo/config.yml\n", noFile.err());
        CliRun fromEnv = CliRun.run(Map.of("BACKSTOP_CONFIG", dir.resolve("gone.yml").toString()), NOW, elsewhere, "list");
        assertEquals(2, fromEnv.exitCode(), fromEnv.toString());
        assertEquals("error: configuration file " + dir.resolve("gone.yml") + " (from $BACKSTOP_CONFIG) does not exist\n",
                fromEnv.err());

        CliRun unsetSecret = CliRun.run(Map.of("TEST_ACCESS_KEY", "x"), NOW, dir, "--config", config.toString(), "list");
        assertEquals(2, unsetSecret.exitCode(), unsetSecret.toString());
        assertEquals("error: " + config + ": secretAccessKey uses ${TEST_SECRET_KEY}, which is not set\n"
                + "error: " + config + ": snapshots.accessKeyId and snapshots.secretAccessKey must be set together\n",
                unsetSecret.err());
        assertFalse(unsetSecret.err().contains("x\n"));

        CliRun help = run("--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }
    @Test
    void aTimeBetweenTwoChainsThatDoNotMeetIsRefused() {
        // Two base-only points of orders: 0/100 (its last change committed a second before 09:00) and a new
        // base 0/2A0 at 10:00 that does not start where the first ends. At 09:30 nothing says what changed.
        CliRun r = run("restore", "orders", "--at", T0900.plusSeconds(1800).toString(), "--dry-run");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("falls between two chains of recovery points"), r.err());
    }
}
