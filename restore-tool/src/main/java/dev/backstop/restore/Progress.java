package dev.backstop.restore;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** The load's progress bar on stderr, or nothing (not a terminal, tests, drills). */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    Progress(boolean enabled, String name, Long expectedRows) {
        bar = enabled ? new ProgressBarBuilder().setTaskName("restore " + name)
                .setInitialMax(expectedRows == null ? -1 : expectedRows).setUnit(" rows", 1)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
    }

    void step(long rows) {
        if (bar != null) {
            bar.stepBy(rows);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
