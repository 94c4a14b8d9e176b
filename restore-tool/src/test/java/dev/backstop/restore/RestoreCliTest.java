package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the subcommand the arguments name is built; anything else (help, a typo, nothing) gets all of them. */
class RestoreCliTest {
    private static final StringWriter OUT = new StringWriter();
    private static final Environment ENV = new Environment(new PrintWriter(OUT), new PrintWriter(new StringWriter()),
            Map.of(), Clock.systemUTC(), Path.of("."), s -> {
                throw new IllegalStateException("no store in this test");
            });

    private static List<String> built(String... args) {
        return List.copyOf(RestoreCli.commandLine(new RestoreCli(ENV), args).getSubcommands().keySet());
    }

    @Test
    void theCommandWordSkipsRootOptionsAndTheirValues() {
        assertEquals("restore", RestoreCli.commandWord(new String[] {"--config", "list", "restore", "t", "--lsn", "0/1"}));
        assertEquals("drill", RestoreCli.commandWord(new String[] {"--database=app", "--config=c.yml", "drill", "--all"}));
        assertEquals("show", RestoreCli.commandWord(new String[] {"--database", "app", "--", "show", "t"}));
        assertNull(RestoreCli.commandWord(new String[] {"--help"}));
        assertNull(RestoreCli.commandWord(new String[] {"--config", "c.yml"}));
    }

    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertEquals(List.of("restore"), built("--config", "c.yml", "restore", "t", "--lsn", "0/1"));
        assertEquals(List.of("unquarantine"), built("unquarantine", "t", "rp", "--reason", "x"));
        List<String> all = List.of("list", "show", "verify", "restore", "copyback", "diff", "group", "quarantine",
                "unquarantine", "drill", "doctor", "query");
        assertEquals(all, built("--help"));
        assertEquals(all, built("restor", "t"));
        assertEquals(all, built());
    }

    /** An out-of-memory inside a command is one clear line and exit 4, never a stack trace or a success. */
    @Test
    void outOfMemoryIsAClearErrorAndExit4(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path config = java.nio.file.Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "database:", "  url: jdbc:postgresql://localhost:5432/app", "  user: u",
                "snapshots:", "  endpoint: http://127.0.0.1:9", "  region: us-east-1", "  bucket: b", "  prefix: p",
                "  pathStyle: true", ""));
        StringWriter err = new StringWriter();
        Environment env = new Environment(new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of(),
                Clock.systemUTC(), dir, s -> {
                    throw new OutOfMemoryError("Java heap space");
                });
        assertEquals(ExitCode.INTERNAL, RestoreCli.run(new String[] {"--config", config.toString(), "list"}, env));
        assertTrue(err.toString().startsWith("error: out of memory (Java heap space): nothing was restored. Give the"
                + " tool more heap, e.g. BACKSTOP_JAVA_OPTS=-Xmx1g"), err.toString());
    }

    @Test
    void theHelpStillListsEverySubcommand() {
        OUT.getBuffer().setLength(0);
        assertEquals(0, RestoreCli.run(new String[] {"--help"}, ENV));
        String help = OUT.toString();
        for (String name : List.of("list", "show", "verify", "restore", "copyback", "diff", "group", "quarantine",
                "unquarantine", "drill", "doctor", "query")) {
            assertTrue(help.contains("\n  " + name + " "), name + " in:\n" + help);
        }
    }
}
