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
