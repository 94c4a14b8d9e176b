package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.backstop.gateway.core.AuditChain;
import dev.backstop.gateway.db.AuditWriter;
import dev.backstop.gateway.db.StateSchema;
import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The group-commit audit writer against real PostgreSQL: two writers (as two gateway processes
 * would) append and complete concurrently on one table; the result is ONE chain with contiguous
 * sequence numbers, every row and completion hash verifies, and every completion was written once.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AuditWriterIT {

    @Test
    void aCompletionWhoseBatchFailedIsWrittenOnceTheStateDatabaseIsBack(PgDatabase db) throws Exception {
        StateSchema schema = new StateSchema("backstop_retry");
        try (HikariDataSource ds = MigratedStateDataSource.open(db, schema, 2, false)) {
            java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
            javax.sql.DataSource flaky = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, m, args) -> {
                        if (m.getName().equals("getConnection") && down.get()) {
                            throw new java.sql.SQLTransientConnectionException("state database unreachable (test)");
                        }
                        try {
                            return m.invoke(ds, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            AuditWriter w = new AuditWriter(flaky, schema, 64, e -> { });
            w.start();
            try {
                UUID id = UUID.randomUUID();
                w.append(id, Instant.now(), "p", "execute", "LOW", null, "{\"n\":1}", null, null, null)
                        .get(10, TimeUnit.SECONDS);
                down.set(true);
                CompletableFuture<Void> c = w.complete(id, "executed", Instant.now(), null, "{\"outcome\":\"executed\"}");
                Thread.sleep(1000); // several attempts fail meanwhile
                assertFalse(c.isDone(), "kept, not dropped, while the state database is down");
                down.set(false);
                c.get(10, TimeUnit.SECONDS);
                try (java.sql.Connection conn = ds.getConnection(); java.sql.Statement st = conn.createStatement();
                     java.sql.ResultSet rs = st.executeQuery("SELECT outcome FROM " + schema.name()
                             + ".audit WHERE id = '" + id + "'")) {
                    assertTrue(rs.next());
                    assertEquals("executed", rs.getString(1));
                }
            } finally {
                w.stop();
            }
        }
    }

    @Test
    void twoWritersKeepOneVerifiableChain(PgDatabase db) throws Exception {
        StateSchema schema = new StateSchema("backstop");
        try (HikariDataSource ds = MigratedStateDataSource.open(db, schema, 4, true)) {
            AuditWriter a = new AuditWriter(ds, schema, 64, e -> { });
            AuditWriter b = new AuditWriter(ds, schema, 64, e -> { });
            a.start();
            b.start();
            int perThread = 50;
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                AuditWriter w = t % 2 == 0 ? a : b;
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        UUID id = UUID.randomUUID();
                        String record = "{\"thread\":" + thread + ",\"i\":" + i + "}";
                        if (i % 5 == 0) {
                            // one-step record (complete when written)
                            w.append(id, Instant.now(), "p" + thread, "execute", "SAFE", null, record, "ok",
                                    Instant.now(), "{\"outcome\":\"ok\"}").get(10, TimeUnit.SECONDS);
                        } else {
                            w.append(id, Instant.now(), "p" + thread, "execute", "SAFE", null, record, null, null, null)
                                    .get(10, TimeUnit.SECONDS);
                            CompletableFuture<Void> c = w.complete(id, "executed", Instant.now(), null,
                                    "{\"outcome\":\"executed\",\"i\":" + i + "}");
                            c.get(10, TimeUnit.SECONDS);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            a.stop();
            b.stop();

            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT seq, record, prev_hash, row_hash, completion, completion_hash,"
                         + " outcome FROM backstop.audit ORDER BY seq")) {
                String prev = AuditChain.GENESIS;
                long expectedSeq = 1;
                int completed = 0;
                while (rs.next()) {
                    assertEquals(expectedSeq++, rs.getLong(1));
                    assertEquals(prev, rs.getString(3), "prev_hash of row " + rs.getLong(1));
                    String rowHash = AuditChain.rowHash(prev, rs.getString(2));
                    assertEquals(rowHash, rs.getString(4), "row_hash of row " + rs.getLong(1));
                    String completion = rs.getString(5);
                    if (completion == null) {
                        assertNull(rs.getString(6));
                    } else {
                        completed++;
                        assertEquals(AuditChain.completionHash(rowHash, completion), rs.getString(6));
                    }
                    prev = rowHash;
                }
                assertEquals(threads * perThread + 1, expectedSeq);
                assertEquals(threads * perThread, completed);
            }
        }
    }
}
