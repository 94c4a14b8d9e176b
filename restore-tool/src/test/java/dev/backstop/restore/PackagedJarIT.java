package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.TableRef;
import dev.backstop.testsupport.S3Endpoint;
import dev.backstop.testsupport.S3ServerExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's contract: {@code java -cp "restore-tool/target/<jar>:restore-tool/target/lib/*"
 * dev.backstop.restore.RestoreCli ...} runs as a separate process with production wiring
 * (configuration from the file and the environment, S3ObjectStore.create).
 */
@ExtendWith(S3ServerExtension.class)
class PackagedJarIT {

    @Test
    void thinJarWithLibRunsVerify(S3Endpoint s3, @TempDir Path dir) throws Exception {
        Path config;
        try (RecoveryPoints points = new RecoveryPoints(s3, "bs", dir)) {
            points.publish(new TableRef("app", "public", "orders"), "0/100", Instant.parse("2026-11-26T10:00:00Z"), 2);
            config = points.writeConfig(dir.resolve("config.yml"));
        }
        Path jar = Path.of("target", "backstop-restore-tool-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar), "run after package: " + jar.toAbsolutePath());
        String classpath = jar + File.pathSeparator + Path.of("target", "lib") + File.separator + "*";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", classpath, "dev.backstop.restore.RestoreCli",
                "--config", config.toString(), "verify", "public.orders")
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("TEST_ACCESS_KEY", s3.accessKey());
        pb.environment().put("TEST_SECRET_KEY", s3.secretKey());
        Process p = pb.start();
        // A bound so a hung child cannot hang the build; not a performance assertion.
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("restore tool did not finish");
        }
        List<String> out = Files.readAllLines(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        String err = Files.readString(dir.resolve("err.txt"));
        assertEquals(0, p.exitValue(), out + err);
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("OK      app:public.orders  0000000000000100-1795687200000  (full: 1 files, "),
                out.get(0));
        assertEquals("1 of 1 verified.", out.get(1));
        assertEquals("", err);
    }
}
