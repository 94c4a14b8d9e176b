package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.TableRef;
import dev.backstop.testsupport.DedicatedS3Server;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3Server;
import dev.backstop.testsupport.S3ServerExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** With S3 down nothing is concluded: exit 3, never "OK". */
@ExtendWith(S3ServerExtension.class)
@DedicatedS3Server
class StoreOutageIT {

    @Test
    void unreachableStoreExitsWithThree(S3Endpoint s3, S3Server server, @TempDir Path dir) throws Exception {
        Path config;
        try (RecoveryPoints points = new RecoveryPoints(s3, "bs", dir)) {
            points.publish(new TableRef("app", "public", "orders"), "0/100", Instant.parse("2026-11-26T10:00:00Z"), 2);
            config = points.writeConfig(dir.resolve("config.yml"));
        }
        Map<String, String> env = Map.of("TEST_ACCESS_KEY", s3.accessKey(), "TEST_SECRET_KEY", s3.secretKey());
        Instant now = Instant.parse("2026-11-26T10:05:00Z");

        server.stop();
        for (String[] args : new String[][] {{"list"}, {"show", "orders"}, {"verify", "--all"}, {"verify", "orders"}}) {
            CliRun r = CliRun.runWithConfig(env, now, dir, config, args);
            assertEquals(3, r.exitCode(), r.toString());
            assertEquals("", r.out(), r.toString());
            assertTrue(r.err().startsWith("error: object store unavailable: S3 "), r.err());
            assertTrue(r.err().endsWith("Nothing was verified; check snapshots.endpoint, credentials and the network.\n"),
                    r.err());
        }

        server.start();
        CliRun back = CliRun.run(env, now, dir, "--config", config.toString(), "verify", "orders");
        assertEquals(0, back.exitCode(), back.toString());
    }
}
