package dev.backstop.testsupport;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A running PostgreSQL server for integration tests, configured for logical replication
 * ({@code wal_level=logical}, replication slots and WAL senders enabled).
 *
 * <p>Two implementations: {@link EmbeddedPgServer} (zonky binaries from Maven, the default) and,
 * with {@code -Dbackstop.it.docker=true} and a Docker engine, a Testcontainers one. Tests normally
 * get a server through {@link EmbeddedPostgresExtension}; a fault test that must stop PostgreSQL
 * uses {@link DedicatedPostgres} or {@link #startDedicated()} so other test classes are not hit.
 */
public interface PgServer extends AutoCloseable {

    /** Host name clients connect to. */
    String host();

    /** TCP port; stays the same across {@link #stop()} / {@link #start()}. */
    int port();

    /** Superuser name (trusted from localhost; its password is not checked). */
    String superuser();

    /** Superuser password to pass to clients that insist on one. */
    String superuserPassword();

    /** JDBC URL of a database on this server, without credentials. */
    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** A new superuser connection to the {@code postgres} maintenance database. */
    Connection adminConnection() throws SQLException;

    /** Creates a fresh, empty database owned by the superuser and returns a handle to it. */
    PgDatabase createDatabase(String name);

    /**
     * Drops a database after dropping its replication slots and terminating its sessions
     * (a logical slot would otherwise keep the database alive).
     */
    void dropDatabase(String name);

    /** Stops the server (fast shutdown). Data is kept; {@link #start()} brings it back on the same port. */
    void stop();

    /** Starts a stopped server again with the same data and port. No-op if running. */
    void start();

    boolean isRunning();

    /**
     * Simulates a crash: the postmaster is killed (SIGKILL, no shutdown checkpoint) and its backends
     * exit; {@link #start()} then runs PostgreSQL's crash recovery on the same data and port.
     * Committed transactions survive (the OS keeps the WAL even with fsync off).
     */
    void crash();

    default void restart() {
        stop();
        start();
    }

    /** Stops the server for good and deletes its data. Idempotent. */
    @Override
    void close();

    /**
     * Starts a server for the caller alone (the caller must close it). Embedded unless the
     * Testcontainers mode is on (see {@link FixtureMode}).
     */
    static PgServer startDedicated() {
        return FixtureMode.current().startPostgres();
    }
}
