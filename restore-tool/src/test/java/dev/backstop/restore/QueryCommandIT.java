package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.TableRef;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** restore query: SQL over a recovery point with DuckDB, on recovery points in a real S3 server. */
@ExtendWith(S3ServerExtension.class)
class QueryCommandIT {
    static final TableRef ORDERS = new TableRef("app", "public", "orders");
    static final Instant NOW = Instant.parse("2026-11-26T10:05:00Z");

    @TempDir
    Path dir;
    private RecoveryPoints points;
    private Map<String, String> env;
    private Path config;

    @BeforeEach
    void publish(S3Endpoint s3) throws Exception {
        points = new RecoveryPoints(s3, "bs-query", dir);
        points.publish(ORDERS, "0/100", Instant.parse("2026-11-26T09:00:00Z"), 2);
        points.publish(ORDERS, "0/2A0", Instant.parse("2026-11-26T10:00:00Z"), 3);
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
    void latestRecoveryPointByDefault() {
        CliRun r = run("query", "orders", "SELECT count(*) AS n, count(note) AS notes, max(id) AS top FROM t");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("n  notes  top", "3  2      3", "(1 row)"), r.outLines());
        assertTrue(r.err().contains("app:public.orders at 0/2A0"), r.err());
    }

    @Test
    void anEarlierPointByLsn() {
        CliRun r = run("query", "orders", "SELECT id, note FROM t ORDER BY id", "--lsn", "0/100");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("id  note", "1   row 1", "2   NULL", "(2 rows)"), r.outLines());
    }

    @Test
    void maxRowsCutsThePrintedRowsNotTheCount() {
        CliRun r = run("query", "orders", "SELECT id FROM t ORDER BY id", "--max-rows", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("id", "1", "(3 rows, first 1 shown)"), r.outLines());
    }

    @Test
    void aBadQueryIsAUsageErrorWithDuckDbsMessage() {
        CliRun r = run("query", "orders", "SELECT no_such_column FROM t");
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("the query failed in DuckDB"), r.err());
    }

    @Test
    void aTableWithoutRecoveryPointsFails() {
        CliRun r = run("query", "public.nothing", "SELECT 1");
        assertEquals(ExitCode.CHECK_FAILED, r.exitCode(), r.toString());
    }
}
