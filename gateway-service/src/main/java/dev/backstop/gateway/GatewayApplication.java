package dev.backstop.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.backstop.gateway.auth.ConcurrencyLimiter;
import dev.backstop.gateway.auth.GatewayRequestFilter;
import dev.backstop.gateway.auth.TokenAuthenticator;
import dev.backstop.gateway.core.AdminService;
import dev.backstop.gateway.core.AuditHealth;
import dev.backstop.gateway.core.ApprovalService;
import dev.backstop.gateway.core.Auditor;
import dev.backstop.gateway.core.ClassifyService;
import dev.backstop.gateway.core.GatewayMetrics;
import dev.backstop.gateway.core.PlanRunner;
import dev.backstop.gateway.core.PolicyHolder;
import dev.backstop.gateway.core.QueryPlanner;
import dev.backstop.gateway.core.QueryService;
import dev.backstop.gateway.core.RecoveryGate;
import dev.backstop.gateway.core.SafetyState;
import dev.backstop.gateway.core.UnavailableRecoveryGate;
import dev.backstop.alerts.AlertSink;
import dev.backstop.alerts.CompositeAlertSink;
import dev.backstop.alerts.LoggingAlertSink;
import dev.backstop.alerts.WebhookAlertSink;
import dev.backstop.alerts.WebhookSettings;
import dev.backstop.gateway.gate.SidecarFlushClient;
import dev.backstop.gateway.gate.SnapshotRecoveryGate;
import dev.backstop.gateway.gate.SnapshotView;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.SnapshotKeys;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.gateway.db.ApprovalStore;
import dev.backstop.gateway.db.AuditReader;
import dev.backstop.gateway.db.AuditWriter;
import dev.backstop.gateway.db.BackendRegistry;
import dev.backstop.gateway.db.PauseStore;
import dev.backstop.gateway.db.PostureStore;
import dev.backstop.gateway.db.QuarantineStore;
import dev.backstop.gateway.db.RegisteringDataSource;
import dev.backstop.gateway.db.StateSchema;
import dev.backstop.gateway.db.TargetExecutor;
import dev.backstop.gateway.health.DatabaseHealthCheck;
import dev.backstop.gateway.resources.AdminResource;
import dev.backstop.gateway.resources.ApprovalResource;
import dev.backstop.gateway.resources.AuditResource;
import dev.backstop.gateway.resources.AuditResponseFilter;
import dev.backstop.gateway.resources.GatewayExceptionMapper;
import dev.backstop.gateway.resources.MiscResource;
import dev.backstop.gateway.resources.QueryResource;
import dev.backstop.gateway.resources.QueryServlet;
import dev.backstop.policy.Policy;
import dev.backstop.policy.PolicyException;
import dev.backstop.policy.PolicyLoader;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;

/**
 * The Backstop gateway: agents send SQL here instead of holding database credentials. Everything is
 * wired by hand below; read run() top to bottom to see the whole system.
 */
public class GatewayApplication extends Application<GatewayConfiguration> {
    public static final String APPLICATION_NAME = "backstop-gateway";

    private final Clock clock;

    public GatewayApplication() {
        this(Clock.systemUTC());
    }

    /** Tests inject a clock to control approval expiry and quarantine windows. */
    public GatewayApplication(Clock clock) {
        this.clock = clock;
    }

    public static void main(String[] args) throws Exception {
        new GatewayApplication().run(args);
    }

    @Override
    public String getName() {
        return APPLICATION_NAME;
    }

    @Override
    public void initialize(Bootstrap<GatewayConfiguration> bootstrap) {
        // ${VAR} and ${VAR:-default}; strict: an unset variable without default fails start-up.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
    }

    @Override
    public void run(GatewayConfiguration config, Environment env) throws Exception {
        Policy policy = loadPolicy(config.getPolicyFile());
        GatewaySettings settings = config.getGateway();
        DatabaseConfig db = config.getDatabase();
        StateSchema schema = new StateSchema(db.getStateSchema());

        HikariDataSource statePool = statePool(db);
        migrate(statePool, schema);
        long sessionTimeout = Math.min(policy.statementTimeoutMs(), settings.getStatementTimeoutMs());
        // Every target connection is registered (pid, backend_start) as it is created, before use.
        BackendRegistry backends = new BackendRegistry(statePool, schema, UUID.randomUUID().toString(), clock, 10);
        HikariDataSource targetPool = targetPool(db, sessionTimeout, backends);
        manage(env, statePool::close);
        manage(env, targetPool::close);

        PolicyHolder policies = new PolicyHolder(policy);
        ApprovalStore approvalStore = new ApprovalStore(statePool, schema);
        java.time.Duration overdue = settings.approvalOutcomeOverdueAfter();
        GatewayMetrics metrics = new GatewayMetrics(
                orMinusOne(() -> approvalStore.countPending(clock.instant())),
                orMinusOne(() -> approvalStore.countOutcomeNotRecorded(clock.instant().minus(overdue))));
        AuditWriter auditWriter = new AuditWriter(statePool, schema, settings.getAuditBatchSize(), e -> { });
        env.lifecycle().manage(auditWriter);
        auditWriter.start(); // before the server accepts requests
        AuditHealth auditHealth = new AuditHealth(clock);
        Auditor auditor = new Auditor(auditWriter, clock, () -> {
            metrics.auditFailure();
            auditHealth.failed();
        });

        AlertSink alerts = alertSink(settings);
        AlertSink alertsToClose = alerts;
        manage(env, alertsToClose::close);

        SafetyState safety = new SafetyState(new PauseStore(statePool, schema), new QuarantineStore(statePool, schema),
                clock);
        safety.load();
        TargetExecutor executor = new TargetExecutor(targetPool,
                sessionTimeoutMatches(targetPool, sessionTimeout) ? sessionTimeout : -1);
        metrics.readRoundTrips(executor::oneTripReads, executor::twoTripReads);
        RecoveryGate gate = recoveryGate(config, settings, targetPool, env);
        QueryPlanner planner = new QueryPlanner(policies, executor, gate, safety, metrics, schema.name(),
                settings.getImpactExplainTimeoutMs());
        PlanRunner runner = new PlanRunner(executor, policies, settings);
        ApprovalService approvals = new ApprovalService(approvalStore, auditor, planner, runner, safety, alerts, metrics,
                clock, new AuditReader(statePool, schema), overdue);
        QueryService queries = new QueryService(planner, runner, approvals, auditor, safety, alerts, metrics, settings);
        SnapshotView snapshots = gate instanceof SnapshotRecoveryGate s
                ? new SnapshotView(s, policies, clock) : null;
        AdminService admin = new AdminService(safety, new PostureStore(statePool, schema), auditor, alerts, clock,
                snapshots, java.time.Duration.ofSeconds(settings.getBypassQuietPeriodSeconds()), policies, auditHealth);

        env.lifecycle().manage(backends);
        ScheduledExecutorService expirer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "approval-expiry");
            t.setDaemon(true);
            return t;
        });
        expirer.scheduleWithFixedDelay(approvals::expireDue, 30, 30, TimeUnit.SECONDS);
        // Other gateway instances share the state schema: their pause/quarantine changes apply here too.
        expirer.scheduleWithFixedDelay(() -> reloadSafetyState(safety), 2, 2, TimeUnit.SECONDS);
        manage(env, expirer::shutdownNow);

        // Request bodies are strict: an unknown field is an error, not silently ignored.
        env.getObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        // Our exception mapper replaces Dropwizard's so every error has the one shape.
        ((AbstractServerFactory) config.getServerFactory()).setRegisterDefaultExceptionMappers(false);
        env.jersey().register(new GatewayExceptionMapper(metrics));
        env.jersey().register(new AuditResponseFilter(auditor, metrics));
        env.jersey().register(new QueryResource(new ClassifyService(planner, auditor)));
        // The agents' hot path skips Jersey (see QueryServlet); an exact servlet mapping wins over Jersey's /*.
        env.servlets().addServlet("query", new QueryServlet(queries, auditor, metrics, env.getObjectMapper()))
                .addMapping("/v1/query");
        env.jersey().register(new ApprovalResource(approvals));
        env.jersey().register(new AdminResource(admin));
        env.jersey().register(new AuditResource(new AuditReader(statePool, schema)));
        env.jersey().register(new MiscResource(metrics));
        env.jersey().register(new dev.backstop.gateway.resources.SnapshotResource(snapshots));

        env.servlets().addFilter("backstop-auth", new GatewayRequestFilter(
                        new TokenAuthenticator(config.getPrincipals()),
                        new ConcurrencyLimiter(settings.getMaxConcurrentRequestsPerPrincipal()),
                        settings.getMaxRequestBytes(), auditor, metrics, env.getObjectMapper(), clock))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");

        env.healthChecks().register("target-database", new DatabaseHealthCheck(targetPool, "SELECT 1"));
        env.healthChecks().register("state-schema", new DatabaseHealthCheck(statePool,
                "SELECT count(*) FROM " + schema.table("pause_state")));
    }

    private static void reloadSafetyState(SafetyState safety) {
        try {
            safety.load();
        } catch (SQLException | RuntimeException e) {
            // Keep the last known state; requests still need the state schema for their audit row.
            org.slf4j.LoggerFactory.getLogger(GatewayApplication.class)
                    .warn("pause/quarantine state could not be re-read: {}", e.getMessage());
        }
    }

    /** Alerts go to the log always, and to the webhook when one is configured (never blocking a query). */
    private static AlertSink alertSink(GatewaySettings settings) {
        if (settings.getAlertWebhookUrl().isBlank()) {
            return new LoggingAlertSink();
        }
        return CompositeAlertSink.of(new LoggingAlertSink(),
                WebhookAlertSink.start(WebhookSettings.defaults(URI.create(settings.getAlertWebhookUrl()))));
    }

    /**
     * The recovery gate over the configured snapshot store, for the target database (its name as
     * PostgreSQL reports it, which is what the sidecar writes into S3 keys). Without a bucket the
     * gate is unavailable and gated operations are blocked.
     */
    private RecoveryGate recoveryGate(GatewayConfiguration config, GatewaySettings settings,
                                             HikariDataSource target, Environment env) {
        SnapshotStoreConfig s3 = config.getSnapshots();
        if (s3 == null || !s3.configured()) {
            return new UnavailableRecoveryGate();
        }
        java.util.List<String> problems = s3.toS3Settings().problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("snapshots: " + String.join("; ", problems));
        }
        String database;
        try (var c = target.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            database = rs.getString(1);
            c.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("database: cannot read current_database(): " + e.getMessage(), e);
        }
        ObjectStore store = S3ObjectStore.create(s3.toS3Settings());
        manage(env, store::close);
        java.util.concurrent.ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "recovery-gate");
            t.setDaemon(true);
            return t;
        });
        manage(env, workers::shutdownNow);
        return new SnapshotRecoveryGate(new RecoveryPointCatalog(store, new SnapshotKeys(s3.getPrefix())), database,
                new SidecarFlushClient(settings.getSidecarUrl(), settings.getSidecarToken(),
                        java.time.Duration.ofMillis(settings.getSidecarFlushTimeoutMs())),
                clock, java.time.Duration.ofMillis(settings.getGateTimeoutMs()), workers);
    }

    /** A bad policy file refuses start-up, naming each bad key and why. */
    static Policy loadPolicy(String file) {
        try {
            return PolicyLoader.load(Path.of(file));
        } catch (PolicyException e) {
            throw new IllegalStateException("policyFile " + file + " refused:\n" + e.getMessage(), e);
        }
    }

    private static HikariDataSource targetPool(DatabaseConfig db, long statementTimeoutMs, BackendRegistry backends) {
        org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
        pg.setURL(db.getUrl());
        pg.setUser(db.getUser());
        pg.setPassword(db.getPassword());
        // Each agent statement goes alone through the extended protocol (one command per Parse).
        pg.setPreferQueryMode(org.postgresql.jdbc.PreferQueryMode.EXTENDED);
        pg.setApplicationName(APPLICATION_NAME);
        // setReadOnly(true) must mean BEGIN READ ONLY for the transaction, whatever the URL says.
        pg.setReadOnlyMode("transaction");
        // Every session starts with the statement timeout; DISCARD ALL restores it after each request.
        // And with search_path = public: the classifier gives unqualified names that schema, so a
        // role's own search_path (or a schema named like the role, "$user") cannot send a statement
        // to a table other than the one classified and checked.
        pg.setOptions("-c statement_timeout=" + statementTimeoutMs + " -c search_path=public");
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("backstop-target");
        hc.setDataSource(new RegisteringDataSource(pg, backends));
        hc.setMaximumPoolSize(db.getMaxPoolSize());
        hc.setAutoCommit(false);
        hc.setConnectionTimeout(5_000);
        HikariDataSource ds = new HikariDataSource(hc);
        verifyExtendedProtocol(ds);
        return ds;
    }

    private static HikariDataSource statePool(DatabaseConfig db) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("backstop-state");
        hc.setJdbcUrl(db.getUrl());
        boolean separate = !db.getStateUser().isBlank();
        hc.setUsername(separate ? db.getStateUser() : db.getUser());
        hc.setPassword(separate ? db.getStatePassword() : db.getPassword());
        hc.setMaximumPoolSize(db.getStatePoolSize());
        hc.setAutoCommit(true);
        hc.setConnectionTimeout(5_000);
        hc.addDataSourceProperty("ApplicationName", APPLICATION_NAME + "-state");
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(hc);
    }

    /** A URL overriding preferQueryMode would let several commands run per message: refuse to start. */
    private static void verifyExtendedProtocol(HikariDataSource ds) {
        try (var c = ds.getConnection()) {
            var mode = c.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor().getPreferQueryMode();
            if (mode != org.postgresql.jdbc.PreferQueryMode.EXTENDED) {
                ds.close();
                throw new IllegalStateException("database.url: preferQueryMode must be extended, not " + mode.value());
            }
            c.setReadOnly(true);
            try (var st = c.createStatement(); var rs = st.executeQuery("SHOW transaction_read_only")) {
                rs.next();
                if (!"on".equals(rs.getString(1))) {
                    ds.close();
                    throw new IllegalStateException("database.url: readOnlyMode must be transaction");
                }
            }
            c.rollback();
            c.setReadOnly(false);
        } catch (SQLException e) {
            ds.close();
            throw new IllegalStateException("database: cannot connect to the target database: " + e.getMessage(), e);
        }
    }

    /** The URL may override the startup options: then every transaction sets the timeout itself. */
    private static boolean sessionTimeoutMatches(HikariDataSource ds, long expectedMs) {
        try (var c = ds.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")) {
            rs.next();
            boolean same = Long.parseLong(rs.getString(1)) == expectedMs;
            c.rollback();
            return same;
        } catch (SQLException | NumberFormatException e) {
            return false;
        }
    }

    private static void migrate(HikariDataSource state, StateSchema schema) {
        Flyway.configure().dataSource(state).schemas(schema.name()).createSchemas(true)
                .locations("classpath:db/migration/backstop").load().migrate();
    }

    private static void manage(Environment env, Runnable onStop) {
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                onStop.run();
            }
        });
    }

    /** A count read from the state database for a gauge: -1 when the database cannot say. */
    private static java.util.function.LongSupplier orMinusOne(SqlCount count) {
        return () -> {
            try {
                return count.get();
            } catch (SQLException e) {
                return -1;
            }
        };
    }

    @FunctionalInterface
    private interface SqlCount {
        long get() throws SQLException;
    }
}
