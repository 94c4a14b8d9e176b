package dev.backstop.restore;

/** Process exit codes of the restore tool (documented in restore-tool/README.md and {@code --help}). */
public final class ExitCode {
    /** The command did what was asked and every check passed. */
    public static final int OK = 0;
    /**
     * A check failed or what was asked for does not exist (no recovery point, verification problems, restore
     * validation failed, drill or doctor found a problem). No copyback SQL was printed.
     */
    public static final int CHECK_FAILED = 1;
    /** Bad usage or configuration, or a refusal before anything was changed (target table exists). */
    public static final int USAGE = 2;
    /** The object store could not be reached or refused a request: nothing can be concluded. */
    public static final int STORE_UNAVAILABLE = 3;
    /** Unexpected internal error (a bug). */
    public static final int INTERNAL = 4;
    /** The database could not be reached or a statement failed. */
    public static final int DATABASE = 5;

    private ExitCode() {
    }
}
