package dev.backstop.gateway.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The physical-connection source of the gateway's target pool: every connection it opens is
 * registered in {@code gateway_backends} by its own {@code (pg_backend_pid(), backend_start)},
 * read on that very connection, before the pool may hand it out. A connection that cannot be
 * registered is closed and the pool gets an error (it would otherwise be reported as a bypass).
 * Registering by application_name instead would let anyone who sets that name pass as the gateway.
 */
public final class RegisteringDataSource implements DataSource {
    /** Records a new connection of the gateway's pool. */
    @FunctionalInterface
    public interface Registrar {
        void register(int backendPid, Timestamp backendStart) throws SQLException;
    }

    private final DataSource physical;
    private final Registrar registrar;

    public RegisteringDataSource(DataSource physical, Registrar registrar) {
        this.physical = physical;
        this.registrar = registrar;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return register(physical.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return register(physical.getConnection(username, password));
    }

    private Connection register(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
            if (!rs.next() || rs.getTimestamp(2) == null) {
                throw new SQLException("the new connection's backend_start cannot be read");
            }
            registrar.register(rs.getInt(1), rs.getTimestamp(2));
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e instanceof SQLException s ? s
                    : new SQLException("the new connection could not be registered: " + e.getMessage(), e);
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return physical.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        physical.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        physical.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return physical.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return physical.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return physical.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || physical.isWrapperFor(iface);
    }
}
