package dev.backstop.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.backstop.gateway.db.StateSchema;
import dev.backstop.testsupport.PgDatabase;
import org.flywaydb.core.Flyway;

/** A connection pool on the test database with the gateway's state schema migrated into {@code schema}, as at start-up. */
final class MigratedStateDataSource {
    private MigratedStateDataSource() {
    }

    static HikariDataSource open(PgDatabase db, StateSchema schema, int poolSize, boolean batchedInserts) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(db.jdbcUrl());
        hc.setUsername(db.user());
        hc.setPassword(db.password());
        hc.setMaximumPoolSize(poolSize);
        if (batchedInserts) {
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(ds).schemas(schema.name()).createSchemas(true)
                    .locations("classpath:db/migration/backstop").load().migrate();
            return ds;
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }
}
