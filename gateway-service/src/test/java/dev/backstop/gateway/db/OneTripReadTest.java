package dev.backstop.gateway.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class OneTripReadTest {
    @Test
    void joinsOurCommandsAroundTheStatement() {
        OneTripRead.Pipeline p = OneTripRead.plan("SELECT id FROM items WHERE id = 1", null);
        assertNotNull(p);
        assertEquals("BEGIN READ ONLY;SELECT id FROM items WHERE id = 1\n;ROLLBACK;DISCARD ALL", p.text());
        assertEquals(1, p.statementPosition());
        assertEquals(4, p.commands());
    }

    @Test
    void setsADifferentTimeoutForThisTransactionOnly() {
        OneTripRead.Pipeline p = OneTripRead.plan("SELECT 1", 2500L);
        assertNotNull(p);
        assertEquals("BEGIN READ ONLY;SET LOCAL statement_timeout = 2500;SELECT 1\n;ROLLBACK;DISCARD ALL", p.text());
        assertEquals(2, p.statementPosition());
        assertEquals(5, p.commands());
    }

    @Test
    void aTrailingLineCommentDoesNotSwallowTheRollback() {
        OneTripRead.Pipeline p = OneTripRead.plan("SELECT 1 -- ; ROLLBACK", null);
        assertNotNull(p);
        assertEquals(4, p.commands());
    }

    @Test
    void semicolonsInsideQuotesDollarQuotesAndCommentsStayInTheStatement() {
        assertNotNull(OneTripRead.plan("SELECT ';', $$;$$, \"a;b\" FROM t /* ; */", null));
        assertNotNull(OneTripRead.plan("SELECT $tag$ ; ' $tag$", null));
    }

    @Test
    void refusesToPipelineWhatPgjdbcWouldNotSendAsExactlyOneCommand() {
        assertNull(OneTripRead.plan("SELECT 1; SELECT 2", null));
        assertNull(OneTripRead.plan("SELECT 1 /* unterminated", null));
        assertNull(OneTripRead.plan("SELECT 'unterminated", null));
        assertNull(OneTripRead.plan("SELECT $$ unterminated", null));
    }
}
