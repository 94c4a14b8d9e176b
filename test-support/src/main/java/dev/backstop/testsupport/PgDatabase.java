package dev.backstop.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One database on a {@link PgServer}, seen as one role: what a test needs to connect.
 *
 * <p>The handle a test class receives from {@link EmbeddedPostgresExtension} connects as the
 * superuser; {@link #createRole} and {@link #as} give handles for other roles on the same database.
 */
public final class PgDatabase {

    /** Role attributes {@link #createRole} accepts (keywords only, never user text in DDL). */
    private static final Set<String> ROLE_ATTRIBUTES = Set.of(
            "LOGIN", "NOLOGIN", "REPLICATION", "NOREPLICATION", "SUPERUSER", "NOSUPERUSER",
            "CREATEDB", "NOCREATEDB", "CREATEROLE", "NOCREATEROLE", "INHERIT", "NOINHERIT",
            "BYPASSRLS", "NOBYPASSRLS");

    private final PgServer server;
    private final String name;
    private final String user;
    private final String password;

    public PgDatabase(PgServer server, String name, String user, String password) {
        this.server = Objects.requireNonNull(server, "server");
        this.name = Objects.requireNonNull(name, "name");
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password");
    }

    public PgServer server() {
        return server;
    }

    /** Database name. */
    public String name() {
        return name;
    }

    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    /** {@code jdbc:postgresql://host:port/name}, without credentials. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A fresh unpooled data source for this database and role. */
    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host()});
        ds.setPortNumbers(new int[] {port()});
        ds.setDatabaseName(name);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    /** Opens a new connection (caller closes it). */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** Runs statements in autocommit mode on a new connection. */
    public void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** Runs a query that returns one value (first column of the first row, or null). */
    public Object queryValue(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    /** A handle on the same database for another role. */
    public PgDatabase as(String role, String rolePassword) {
        return new PgDatabase(server, name, role, rolePassword);
    }

    /**
     * Creates (or, if it exists, alters) a role with a password and the given attributes, e.g.
     * {@code createRole("agent", "secret", "LOGIN")} or {@code ("repl", "x", "LOGIN", "REPLICATION")},
     * and returns a handle on this database as that role. Roles are cluster-wide: test classes
     * sharing a server should use distinct role names. Password authentication is enforced for
     * every role except the superuser (scram-sha-256), as in production.
     */
    public PgDatabase createRole(String role, String rolePassword, String... attributes) throws SQLException {
        StringBuilder options = new StringBuilder();
        for (String attribute : attributes) {
            String keyword = attribute.toUpperCase(Locale.ROOT).trim();
            if (!ROLE_ATTRIBUTES.contains(keyword)) {
                throw new IllegalArgumentException("unsupported role attribute: " + attribute);
            }
            options.append(' ').append(keyword);
        }
        options.append(" PASSWORD ").append(SqlNames.quoteLiteral(rolePassword));
        try (Connection c = server.adminConnection(); Statement st = c.createStatement()) {
            try {
                st.execute("CREATE ROLE " + SqlNames.quoteIdent(role) + " WITH" + options);
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) { // duplicate_object: make the call idempotent
                    throw e;
                }
                st.execute("ALTER ROLE " + SqlNames.quoteIdent(role) + " WITH" + options);
            }
        }
        return as(role, rolePassword);
    }

    /** A superuser connection to the server's maintenance database (e.g. to create a second database). */
    public Connection adminConnection() throws SQLException {
        return server.adminConnection();
    }

    @Override
    public String toString() {
        return "PgDatabase[" + jdbcUrl() + " as " + user + "]";
    }
}
