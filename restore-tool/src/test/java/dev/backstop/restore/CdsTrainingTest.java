package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The build-time training run behind the class-data-sharing archive still rehearses a whole restore: every command
 * succeeds offline and the real restore gets as far as its database connection. A change that broke the rehearsal
 * would silently shrink the archive (slower starts), so it fails here instead.
 */
class CdsTrainingTest {
    @Test
    void rehearsesEveryCommandUpToTheDatabase() throws Exception {
        assertArrayEquals(new int[] {ExitCode.OK, ExitCode.OK, ExitCode.OK, ExitCode.OK, ExitCode.DATABASE, ExitCode.OK},
                CdsTraining.rehearse());
    }

    /**
     * The jars the rehearsal cannot reach are still found by their anchor classes (a renamed class after an upgrade
     * would leave a jar out of the archive). Here only the dependencies are jars (the tool's own classes are a
     * directory): the driver, the XML parser, the SDK's core, HTTP and JSON jars, several thousand classes.
     */
    @Test
    void preloadsTheJarsARehearsalCannotReach() {
        int loaded = CdsTraining.preloadJars();
        assertTrue(loaded > 2_500, "classes preloaded: " + loaded);
    }
}
