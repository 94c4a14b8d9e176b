package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
}
