package dev.backstop.restore;

import dev.backstop.snapshot.store.ObjectStoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backstop restore}: inspect and verify recovery points in S3 (and, later, restore tables
 * from them). Exit codes: see {@link ExitCode}.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, version = "backstop restore 0.1.0",
        description = "Inspect, verify and restore table recovery points kept in S3 by the Backstop sidecar.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done, every check passed",
            "1:a check failed, no such recovery point, restore validation failed (no copyback SQL printed)",
            "2:bad usage or configuration, or refused before changing anything (target table exists)",
            "3:object store unreachable or refused a request",
            "4:unexpected internal error",
            "5:database unreachable or a statement failed"})
public final class RestoreCli implements Callable<Integer> {

    /** The subcommands, in the order the help lists them (added by {@link #commandLine}). */
    static final List<Class<?>> SUBCOMMANDS = List.of(ListCommand.class, ShowCommand.class, VerifyCommand.class,
            RestoreCommand.class, CopybackCommand.class, DiffCommand.class, GroupCommand.class,
            QuarantineCommand.Add.class, QuarantineCommand.Remove.class, DrillCommand.class, DoctorCommand.class,
            QueryCommand.class);

    /** Unexpected internal error (a bug): never reported as success. */
    static final int INTERNAL_ERROR = ExitCode.INTERNAL;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $BACKSTOP_CONFIG, else .backstop-demo/config.yml if present, else "
                    + "config.yml, both in the current folder).")
    Path config;

    @Option(names = "--database", paramLabel = "NAME",
            description = "Database the tables belong to (default: the one in database.url).")
    String database;

    private final Environment environment;
    private Session session;

    RestoreCli(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        environment.err().println("Missing command. Use one of: list, show, verify, restore, copyback, diff, group, quarantine, unquarantine, drill, doctor, query (see --help).");
        return ExitCode.USAGE;
    }

    /** The run's session (config loaded on first use). */
    Session session() {
        if (session == null) {
            ConfigLoader loader = new ConfigLoader(environment.env());
            RestoreConfig cfg = loader.load(config, environment.workingDir());
            session = new Session(environment, cfg, database);
        }
        return session;
    }

    Environment environment() {
        return environment;
    }

    public static void main(String[] args) {
        System.exit(run(args, Environment.system()));
    }

    /** Runs one command and returns its exit code; never throws. */
    public static int run(String[] args, Environment environment) {
        RestoreCli root = new RestoreCli(environment);
        CommandLine cmd = commandLine(root, args)
                .setOut(environment.out())
                .setErr(environment.err())
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, environment));
        try {
            return cmd.execute(args);
        } catch (OutOfMemoryError e) {
            // Not an Exception, so picocli's handler never sees it; the command's own cleanup (a half-loaded table
            // is dropped) has run while it unwound.
            environment.err().println("error: out of memory (" + e.getMessage() + "): nothing was restored. Give the"
                    + " tool more heap, e.g. BACKSTOP_JAVA_OPTS=-Xmx1g (a restore holds one Parquet row group, up to"
                    + " 64 MiB, plus its work)");
            return INTERNAL_ERROR;
        } finally {
            if (root.session != null) {
                root.session.close();
            }
            environment.out().flush();
            environment.err().flush();
        }
    }

    /**
     * The command line with the subcommand the arguments name, or with every subcommand when they name none (help,
     * a typo, no command): picocli builds each subcommand's model by reflection, ~0.1 s of a short-lived JVM's start
     * for all of them, spent for the one that runs. Parsing is the same either way.
     */
    static CommandLine commandLine(RestoreCli root, String[] args) {
        CommandLine cmd = new CommandLine(root);
        String named = commandWord(args);
        boolean known = SUBCOMMANDS.stream().anyMatch(c -> name(c).equals(named));
        for (Class<?> c : SUBCOMMANDS) {
            if (!known || name(c).equals(named)) {
                cmd.addSubcommand(name(c), c);
            }
        }
        return cmd;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** The first argument that is neither a root option nor its value (null if none). */
    static String commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") || a.equals("--database")) {
                i++; // its value
            } else if (a.equals("--")) {
                return i + 1 < args.length ? args[i + 1] : null;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static int report(Exception e, Environment environment) {
        if (e instanceof ConfigException ce) {
            for (String p : ce.problems()) {
                environment.err().println("error: " + p);
            }
            return ExitCode.USAGE;
        }
        if (e instanceof CheckFailedException) {
            environment.err().println("error: " + e.getMessage());
            return ExitCode.CHECK_FAILED;
        }
        if (e instanceof RefusedException) {
            environment.err().println("refused: " + e.getMessage());
            return ExitCode.USAGE;
        }
        if (e instanceof DatabaseException || e instanceof java.sql.SQLException) {
            environment.err().println("error: database: " + e.getMessage());
            return ExitCode.DATABASE;
        }
        if (e instanceof ObjectStoreException) {
            environment.err().println("error: object store unavailable: " + e.getMessage());
            environment.err().println("Nothing was verified; check snapshots.endpoint, credentials and the network.");
            return ExitCode.STORE_UNAVAILABLE;
        }
        environment.err().println("internal error: " + e);
        return INTERNAL_ERROR;
    }
}
