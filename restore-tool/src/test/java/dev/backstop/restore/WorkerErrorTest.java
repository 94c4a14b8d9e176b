package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.snapshot.ColumnSpec;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An Error (out of memory, say) on the fingerprint thread or on a COPY thread fails the load: the producer is told,
 * instead of waiting forever for a queue slot that thread would have freed.
 */
class WorkerErrorTest {

    /** A value whose use throws an Error, as an allocation that fails would. */
    private static final class Exploding extends BigDecimal {
        Exploding() {
            super(BigInteger.ONE, 2);
        }

        @Override
        public int scale() {
            throw new OutOfMemoryError("test: no memory left");
        }
    }

    @Test
    void anErrorOnTheFingerprintThreadFailsTheProducer() {
        List<ColumnSpec> columns = List.of(ColumnSpec.decimal("d", "numeric(12,2)", 12, 2, true));
        IllegalStateException failed = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (FingerprintWorker worker = new FingerprintWorker(columns)) {
                return assertThrows(IllegalStateException.class, () -> {
                    for (int i = 0; i < 100_000; i++) { // far more batches than the queue holds
                        worker.add(new Object[] {new Exploding()});
                    }
                    worker.finish();
                });
            }
        });
        assertTrue(failed.getMessage().contains("test: no memory left"), failed.getMessage());
    }

    @Test
    void anErrorOnACopyThreadFailsTheProducer() {
        Connection exploding = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    throw new OutOfMemoryError("test: no memory for the COPY");
                });
        ParallelCopy.CopyFailedException failed = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (ParallelCopy copy = new ParallelCopy(List.of(exploding), "COPY t FROM STDIN", new byte[0], new byte[0])) {
                return assertThrows(ParallelCopy.CopyFailedException.class, () -> {
                    for (int i = 0; i < 1_000; i++) { // far more chunks than the queue holds
                        copy.send(new byte[] {1});
                    }
                    copy.finish();
                });
            }
        });
        assertTrue(failed.getMessage().contains("test: no memory for the COPY"), failed.getMessage());
    }
}
