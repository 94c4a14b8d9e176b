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
        Path jar = Path.of("target", "backstop-restore-tool-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar), "run after package: " + jar.toAbsolutePath());
        String classpath = jar + File.pathSeparator + Path.of("target", "lib") + File.separator + "*";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        verifyPrintsOk(s3, dir, List.of(java, "-cp", classpath, "dev.backstop.restore.RestoreCli"));
    }

    /**
     * The launcher itself ({@code ./backstop restore}), with its JVM flags (class-data-sharing archive mapped at its
     * own address, huge pages where the kernel offers them on request): the JVM accepts them and says nothing.
     */
    @Test
    void launcherRunsVerifyWithItsJvmFlags(S3Endpoint s3, @TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "backstop").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(launcher), launcher.toString());
        assertTrue(Files.isDirectory(Path.of("target", "lib")), "run after package (else the launcher would build)");
        verifyPrintsOk(s3, dir, List.of(launcher.toString(), "restore"));
    }

    private static void verifyPrintsOk(S3Endpoint s3, Path dir, List<String> command) throws Exception {
        Path config;
        try (RecoveryPoints points = new RecoveryPoints(s3, "bs", dir)) {
            points.publish(new TableRef("app", "public", "orders"), "0/100", Instant.parse("2026-11-26T10:00:00Z"), 2);
            config = points.writeConfig(dir.resolve("config.yml"));
        }
        List<String> cmd = new java.util.ArrayList<>(command);
        cmd.addAll(List.of("--config", config.toString(), "verify", "public.orders"));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("TEST_ACCESS_KEY", s3.accessKey());
        pb.environment().put("TEST_SECRET_KEY", s3.secretKey());
        pb.environment().remove("BACKSTOP_JAVA_OPTS");
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
