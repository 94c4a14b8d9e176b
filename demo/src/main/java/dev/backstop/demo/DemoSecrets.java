package dev.backstop.demo;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The demo's generated credentials: API tokens, database role passwords and S3 keys. Generated once
 * per demo folder and kept (owner-only file) so a restarted demo keeps working with printed tokens.
 */
record DemoSecrets(
        String agentToken,
        String operatorToken,
        String sidecarToken,
        String gatewayDbPassword,
        String replicationDbPassword,
        String agentDbPassword,
        String s3AccessKey,
        String s3SecretKey) {

    private static final SecureRandom RANDOM = new SecureRandom();

    static DemoSecrets loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            return new DemoSecrets(
                    required(p, "agent_token", file), required(p, "operator_token", file),
                    required(p, "sidecar_token", file), required(p, "gateway_db_password", file),
                    required(p, "replication_db_password", file), required(p, "agent_db_password", file),
                    required(p, "s3_access_key", file), required(p, "s3_secret_key", file));
        }
        DemoSecrets s = new DemoSecrets(
                "bsa_" + random(24), "bso_" + random(24), random(24),
                random(16), random(16), random(16),
                "DEMO" + random(8).toUpperCase(), random(20));
        s.save(file);
        return s;
    }

    private void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("agent_token", agentToken);
        p.setProperty("operator_token", operatorToken);
        p.setProperty("sidecar_token", sidecarToken);
        p.setProperty("gateway_db_password", gatewayDbPassword);
        p.setProperty("replication_db_password", replicationDbPassword);
        p.setProperty("agent_db_password", agentDbPassword);
        p.setProperty("s3_access_key", s3AccessKey);
        p.setProperty("s3_secret_key", s3SecretKey);
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: the folder's own permissions apply.
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "Backstop demo credentials (generated; demo only)");
        }
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String required(Properties p, String key, Path file) throws IOException {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IOException(file + " lacks " + key + "; start with --fresh to regenerate the demo");
        }
        return v;
    }
}
