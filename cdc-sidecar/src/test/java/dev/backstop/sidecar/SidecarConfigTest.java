package dev.backstop.sidecar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SidecarConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheSharedExampleWithEnvironmentValues() throws Exception {
        Map<String, String> env = Map.of("BACKSTOP_SIDECAR_TOKEN", "0123456789abcdef0123",
                "BACKSTOP_REPLICATION_PASSWORD", "pw", "BACKSTOP_SIDECAR_STATE_DIR", "/var/lib/bs");
        SidecarConfig c = SidecarConfig.load(Path.of("../config.yml"), env::get);
        assertEquals("jdbc:postgresql://localhost:5432/app", c.jdbcUrl());
        assertEquals("backstop_replication", c.replicationUser());
        assertEquals("pw", c.replicationPassword());
        assertEquals(List.of("public.*"), c.tablePatterns());
        assertEquals(Path.of("/var/lib/bs"), c.stateDir());
        assertEquals(10, c.flushIntervalSeconds());
        assertEquals(15, c.heartbeatIntervalSeconds());
        assertEquals(200_000, c.maxBufferedChanges());
        assertEquals(256L * 1024 * 1024, c.maxBufferedBytes());
        assertEquals(100, c.compactAfterDeltas());
        assertEquals(168, c.retentionHours());
        assertEquals(8091, c.httpPort());
        assertEquals("127.0.0.1", c.httpBindHost(), "loopback unless configured: /metrics needs no token");
        assertEquals(0, c.baseParallelism());
        assertEquals("backstop", c.s3().prefix());
        assertTrue(!c.toString().contains("pw") && !c.toString().contains("0123456789abcdef0123"),
                "no secrets in toString");
    }

    @Test
    void reportsEveryProblemAtOnce() throws Exception {
        Path f = dir.resolve("bad.yml");
        Files.writeString(f, "database: {}\nsnapshots: {}\nsidecar:\n  flushIntervalSeconds: 0\n  httpPort: 70000\n  httpBindHost: ' '\n  baseParallelism: 17\n  maxBufferedBytes: 1000\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SidecarConfig.load(f, k -> null));
        for (String expected : List.of("database.url", "sidecar.tables", "flushIntervalSeconds", "httpToken",
                "httpPort", "httpBindHost", "baseParallelism", "maxBufferedBytes", "replicationUser")) {
            assertTrue(e.getMessage().contains(expected), expected + " in: " + e.getMessage());
        }
    }

    @Test
    void fallsBackToTheDatabaseRole() throws Exception {
        Path f = dir.resolve("ok.yml");
        Files.writeString(f, String.join("\n", "database:", "  url: jdbc:postgresql://db:5432/app", "  user: owner",
                "  password: secret", "snapshots:", "  endpoint: http://s3:9000", "  bucket: b", "sidecar:",
                "  tables: [public.orders]", "  httpToken: 0123456789abcdef", "  httpBindHost: 0.0.0.0", "  baseParallelism: 2", "  maxBufferedBytes: 67108864", ""));
        SidecarConfig c = SidecarConfig.load(f, k -> null);
        assertEquals("0.0.0.0", c.httpBindHost());
        assertEquals(2, c.baseParallelism());
        assertEquals(64L * 1024 * 1024, c.maxBufferedBytes());
        assertEquals("owner", c.replicationUser());
        assertEquals("secret", c.replicationPassword());
        assertEquals(Path.of("./.backstop-sidecar").toAbsolutePath(), c.stateDir());
    }
}
