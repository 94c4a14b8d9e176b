package dev.backstop.restore;

/** Process exit codes of the restore tool (documented in restore-tool/README.md). */
public final class ExitCode {
    /** The command did what was asked and every check passed. */
    public static final int OK = 0;
    /** A check failed or what was asked for does not exist (no recovery point, verification problems). */
    public static final int CHECK_FAILED = 1;
    /** Bad usage or configuration: nothing was attempted. */
    public static final int USAGE = 2;
    /** The object store could not be reached or refused a request: nothing can be concluded. */
    public static final int STORE_UNAVAILABLE = 3;

    private ExitCode() {
    }
}
