package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code copyback --apply} counts the rows it will touch under the lock its script takes: a writer that commits
 * while the copyback waits for that lock changes the counts, not the outcome. Counted before the lock, the script's
 * own row-count check would abort it ("expected to insert 3 row(s), got 2").
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class CopybackLockIT {

    @Test
    void countsAreTakenUnderTheLockSoAConcurrentCommitDoesNotAbortTheCopyback(PgDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'one')",
                "CREATE TABLE t_rec (id int PRIMARY KEY, v text)",
                "INSERT INTO t_rec VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')");
        try (Connection writer = db.connect(); Connection tool = Database.prepare(db.connect())) {
            writer.setAutoCommit(false);
            try (Statement w = writer.createStatement()) {
                w.execute("INSERT INTO t VALUES (3, 'three')"); // uncommitted: holds ROW EXCLUSIVE on t
            }
            Relation live = Relation.describe(tool, "public", "t").orElseThrow();
            Relation rec = Relation.describe(tool, "public", "t_rec").orElseThrow();
            CompletableFuture<Copyback.Script> applied = CompletableFuture.supplyAsync(() -> {
                try {
                    return Copyback.applyLocked(tool, live,
                            () -> Copyback.script(tool, new TableComparison(live, rec), Copyback.Mode.MISSING_ROWS));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitLockWait(db);
            writer.commit(); // row 3 is now live: the copyback must insert 2 rows, not 3

            Copyback.Script s = applied.get(30, TimeUnit.SECONDS);
            assertTrue(s.summary().contains("inserts 2 "), s.summary());
            try (Statement q = tool.createStatement();
                 ResultSet rs = q.executeQuery("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM t")) {
                rs.next();
                assertEquals("1=one,2=two,3=three,4=four", rs.getString(1));
            }
        }
    }

    /** Until the copyback's LOCK TABLE waits behind the writer's uncommitted insert. */
    private static void awaitLockWait(PgDatabase db) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Object waiting = db.queryValue("SELECT count(*) FROM pg_locks WHERE relation = 'public.t'::regclass"
                    + " AND NOT granted AND mode = 'ShareRowExclusiveLock'");
            if (((Number) waiting).longValue() == 1) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the copyback never waited for the lock");
    }
}
