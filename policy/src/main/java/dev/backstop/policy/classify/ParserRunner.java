package dev.backstop.policy.classify;

import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.statement.Statement;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JSqlParser's generated parser directly on the calling thread (its convenience entry point
 * hands every parse to an executor thread, ~600 us each). The time limit is enforced by one shared
 * daemon timer that sets the parser's own {@code interrupted} flag, which the generated code polls.
 */
final class ParserRunner {
    /** The outcome of one parse: exactly one of statement / failure is set. */
    record Outcome(Statement statement, Failure failure) {
    }

    enum Failure { SYNTAX, TIMEOUT, STACK_OVERFLOW }

    private static final ScheduledThreadPoolExecutor TIMER = createTimer();

    private ParserRunner() {
    }

    private static ScheduledThreadPoolExecutor createTimer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "backstop-parse-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /**
     * Parses one statement. {@code timeoutMillis <= 0} means the limit is already exceeded (used to
     * test the timeout path deterministically).
     */
    static Outcome parse(String text, long timeoutMillis) {
        CCJSqlParser parser = new CCJSqlParser(new StringProvider(text));
        ScheduledFuture<?> alarm = null;
        try {
            if (timeoutMillis <= 0) {
                parser.interrupted = true;
            } else {
                alarm = TIMER.schedule(() -> {
                    parser.interrupted = true;
                }, timeoutMillis, TimeUnit.MILLISECONDS);
            }
            Statement st = parser.Statement();
            if (parser.interrupted) {
                return new Outcome(null, Failure.TIMEOUT);
            }
            if (st == null || parser.getNextToken().kind != CCJSqlParserConstants.EOF) {
                return new Outcome(null, Failure.SYNTAX);
            }
            return new Outcome(st, null);
        } catch (StackOverflowError e) {
            return new Outcome(null, Failure.STACK_OVERFLOW);
        } catch (Exception | Error e) {
            // ParseException, TokenMgrException, and anything odd from generated code
            return new Outcome(null, parser.interrupted ? Failure.TIMEOUT : Failure.SYNTAX);
        } finally {
            if (alarm != null) {
                alarm.cancel(false);
            }
        }
    }
}
