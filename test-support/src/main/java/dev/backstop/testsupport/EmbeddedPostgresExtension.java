package dev.backstop.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: a real PostgreSQL with logical replication, started once per test run and
 * stopped when the run ends, and a fresh database for each test class (dropped after it).
 *
 * <p>Injects {@link PgDatabase} (the class's database, as superuser) and {@link PgServer} into
 * constructors, lifecycle methods and test methods:
 * <pre>{@code
 * @ExtendWith(EmbeddedPostgresExtension.class)
 * class OrdersIT {
 *     static PgDatabase db;
 *     @BeforeAll static void schema(PgDatabase database) throws SQLException {
 *         db = database;
 *         db.execute("CREATE TABLE orders (id bigint PRIMARY KEY)");
 *     }
 *     @Test void x(PgServer server) { ... }
 * }
 * }</pre>
 * Annotate the class with {@link DedicatedPostgres} to get a server of its own that it may stop.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresExtension.class);
    private static final ClassFixtures<PgServer, PgDatabase> FIXTURES = new ClassFixtures<>(
            EmbeddedPostgresExtension.class, PgServer.class, DedicatedPostgres.class,
            () -> FixtureMode.current().startPostgres());

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        PgDatabase db = FIXTURES.ownedResource(context, PgDatabase.class);
        if (db == null) {
            return;
        }
        PgServer server = db.server();
        try {
            server.start(); // the class may have left its server stopped
            server.dropDatabase(db.name());
        } catch (RuntimeException e) {
            // Cleanup only: the data dies with the server at the end of the run anyway.
            LOG.warn("could not drop test database " + db.name() + ": " + e.getMessage());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PgDatabase.class || type == PgServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        PgDatabase db = database(context);
        return parameter.getParameter().getType() == PgServer.class ? db.server() : db;
    }

    /** The database of the test class running in {@code context} (created on first use). */
    public static PgDatabase database(ExtensionContext context) {
        return FIXTURES.resource(context, PgDatabase.class, server -> {
            server.start(); // a previous class may have stopped the shared server
            String name = SqlNames.unique(ClassFixtures.classContext(context).getRequiredTestClass().getSimpleName(),
                    '_', 63);
            return server.createDatabase(name);
        });
    }
}
