package dev.backstop.gateway.health;

import com.codahale.metrics.health.HealthCheck;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;

/** A database answers a query within its timeout (target database, or the state schema's tables). */
public final class DatabaseHealthCheck extends HealthCheck {
    private final DataSource ds;
    private final String query;

    public DatabaseHealthCheck(DataSource ds, String query) {
        this.ds = ds;
        this.query = query;
    }

    @Override
    protected Result check() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(5);
            try (ResultSet rs = st.executeQuery(query)) {
                rs.next();
            }
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            return Result.healthy();
        }
    }
}
