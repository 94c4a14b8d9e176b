package dev.backstop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * {@code backstop classify ...}: offline classification with a policy. The launcher passes the
 * arguments after "classify", so a first argument that is not a sub-command means "classify".
 * Exit codes: 0 done (whatever the decision), 2 bad usage or bad policy file.
 */
@Command(name = "backstop", mixinStandardHelpOptions = true, version = "backstop 0.1.0-SNAPSHOT",
        description = "Backstop command line.", subcommands = {ClassifyCommand.class})
public final class BackstopCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs the command with the given streams; returns the exit code. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String[] effective = args;
        if (args.length == 0 || !(args[0].equals("classify") || args[0].equals("help") || args[0].equals("-h")
                || args[0].equals("--help") || args[0].equals("-V") || args[0].equals("--version"))) {
            effective = new String[args.length + 1];
            effective[0] = "classify";
            System.arraycopy(args, 0, effective, 1, args.length);
        }
        CommandLine cl = new CommandLine(new BackstopCli(), new StreamFactory(in, out));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExitCodeExceptionMapper(e -> EXIT_USAGE);
        return cl.execute(effective);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing sub-command (classify)");
    }

    /** Hands the caller's stdin/stdout to the classify command (tests pass in-memory streams). */
    private record StreamFactory(InputStream in, PrintStream out) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == ClassifyCommand.class) {
                return cls.cast(new ClassifyCommand(in, out));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
