package dev.backstop.snapshot.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Microseconds since 1970 to and from Instant, across the epoch and PostgreSQL's whole timestamp range. */
class ValueCodecTest {
    @Test
    void microsRoundTripAndMatchJavaTimeArithmetic() {
        long[] edges = {0, 1, -1, 999_999, -999_999, 1_000_000, -1_000_000, -1_000_001,
                -210_866_803_200_000_000L /* 4713-01-01 BC */, 9_224_318_015_999_999L /* 294276 AD */};
        Random r = new Random(13);
        for (int i = 0; i < 10_000 + edges.length; i++) {
            long micros = i < edges.length ? edges[i] : r.nextLong() / 1000;
            Instant t = ValueCodec.fromMicros(micros);
            assertEquals(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), t, "micros " + micros);
            assertEquals(micros, ValueCodec.micros(t), "micros " + micros);
        }
    }
}
