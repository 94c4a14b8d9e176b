package dev.backstop.demo;

import dev.backstop.testsupport.EmbeddedPgServer;
import dev.backstop.testsupport.EmbeddedS3Server;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import dev.backstop.testsupport.S3Endpoint;

/**
 * The demo's infrastructure: an embedded PostgreSQL (logical replication on) and an embedded
 * S3-compatible server, both keeping their data under the demo folder, plus roles, sample data,
 * credentials, policy and config.yml. Closing it stops both servers and keeps the data.
 */
final class DemoEnvironment implements AutoCloseable {
    static final String BUCKET = "backstop";

    final Path dir;
    final DemoPorts ports;
    final DemoSecrets secrets;
    final EmbeddedPgServer postgres;
    final EmbeddedS3Server s3;
    final Path configFile;
    final Path policyFile;

    private DemoEnvironment(Path dir, DemoPorts ports, DemoSecrets secrets, EmbeddedPgServer postgres,
                            EmbeddedS3Server s3, Path configFile, Path policyFile) {
        this.dir = dir;
        this.ports = ports;
        this.secrets = secrets;
        this.postgres = postgres;
        this.s3 = s3;
        this.configFile = configFile;
        this.policyFile = policyFile;
    }

    static DemoEnvironment start(Path dir, boolean fresh, DemoPorts ports, PrintStream out) throws Exception {
        if (fresh) {
            deleteRecursively(dir);
        }
        Files.createDirectories(dir);
        DemoSecrets secrets = DemoSecrets.loadOrCreate(dir.resolve("secrets.properties"));
        out.println("[demo] starting PostgreSQL on 127.0.0.1:" + ports.postgres() + " (data in " + dir.resolve("pg") + ")");
        EmbeddedPgServer postgres = EmbeddedPgServer.launchPersistent(dir.resolve("pg"), ports.postgres());
        EmbeddedS3Server s3 = null;
        try {
            out.println("[demo] starting S3-compatible server on 127.0.0.1:" + ports.s3() + " (objects in " + dir.resolve("s3") + ")");
            s3 = EmbeddedS3Server.launchOnDisk(dir.resolve("s3"), ports.s3(), secrets.s3AccessKey(), secrets.s3SecretKey());
            ensureBucket(new S3Endpoint(s3, BUCKET));
            prepareDatabase(postgres, secrets, out);
            Path policy = DemoPolicy.write(dir);
            Path config = DemoConfigWriter.write(dir, ports, secrets, s3.endpoint().toString(), policy);
            return new DemoEnvironment(dir, ports, secrets, postgres, s3, config, policy);
        } catch (Exception e) {
            if (s3 != null) {
                s3.close();
            }
            postgres.close();
            throw e;
        }
    }

    String adminJdbcUrl() {
        return postgres.jdbcUrl(DemoDatabase.DATABASE) + "?user=" + postgres.superuser();
    }

    String agentJdbcUrl() {
        return postgres.jdbcUrl(DemoDatabase.DATABASE) + "?user=" + DemoDatabase.AGENT_ROLE
                + "&password=" + secrets.agentDbPassword();
    }

    Connection appAdminConnection() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", postgres.superuser());
        p.setProperty("password", postgres.superuserPassword());
        return DriverManager.getConnection(postgres.jdbcUrl(DemoDatabase.DATABASE), p);
    }

    private static void prepareDatabase(EmbeddedPgServer postgres, DemoSecrets secrets, PrintStream out)
            throws Exception {
        try (Connection admin = postgres.adminConnection()) {
            DemoDatabase.createDatabase(admin);
            DemoDatabase.createRoles(admin, secrets);
        }
        Properties p = new Properties();
        p.setProperty("user", postgres.superuser());
        p.setProperty("password", postgres.superuserPassword());
        try (Connection app = DriverManager.getConnection(postgres.jdbcUrl(DemoDatabase.DATABASE), p)) {
            DemoDatabase.createSampleData(app);
            out.printf("[demo] sample data: customers %,d rows, orders %,d rows, payments %,d rows%n",
                    DemoDatabase.rowCount(app, "customers"), DemoDatabase.rowCount(app, "orders"),
                    DemoDatabase.rowCount(app, "payments"));
        }
    }

    private static void ensureBucket(S3Endpoint endpoint) {
        try (S3Client client = endpoint.newClient()) {
            client.createBucket(CreateBucketRequest.builder().bucket(endpoint.bucket()).build());
        } catch (BucketAlreadyOwnedByYouException e) {
            // kept from an earlier run
        } catch (S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            postgres.close();
        }
    }
}
