package dev.backstop.restore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Connections to the protected database with the settings every restore-tool query relies on. */
final class Database {
    private Database() {
    }

    static Connection connect(RestoreConfig config) {
        if (config.jdbcUrl() == null || config.jdbcUrl().isBlank()) {
            throw new ConfigException(config.source() + ": database.url is needed for this command");
        }
        Properties p = new Properties();
        if (config.dbUser() != null) {
            p.setProperty("user", config.dbUser());
        }
        if (config.dbPassword() != null) {
            p.setProperty("password", config.dbPassword());
        }
        p.setProperty("ApplicationName", "backstop-restore");
        p.setProperty("connectTimeout", "10");
        try {
            return prepare(DriverManager.getConnection(config.jdbcUrl(), p));
        } catch (SQLException e) {
            throw new DatabaseException("cannot connect to " + redact(config.jdbcUrl()) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets the output formats the fingerprint and the snapshot format's pg_text values are defined with, in one round
     * trip; returns {@code c}.
     */
    static Connection prepare(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(OUTPUT_FORMATS.stream().map(f -> "SET " + f).collect(java.util.stream.Collectors.joining("; "))
                    + "; SET client_encoding = 'UTF8'");
        }
        return c;
    }

    /**
     * The settings that decide how values print as text ({@code ROW(..)::text}, the fingerprint's pg_text values):
     * every session whose text must match another's sets these (printed copyback SQL does, with SET LOCAL).
     */
    static final java.util.List<String> OUTPUT_FORMATS = java.util.List.of("DateStyle = 'ISO, MDY'",
            "IntervalStyle = 'postgres'", "extra_float_digits = 1", "TimeZone = 'UTC'", "bytea_output = 'hex'");

    /** The URL without query parameters (they may carry a password). */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
