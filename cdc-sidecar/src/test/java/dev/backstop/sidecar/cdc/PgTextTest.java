package dev.backstop.sidecar.cdc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected strings are PostgreSQL's own output for the same values (IntervalStyle=postgres). */
class PgTextTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "P1Y2M3DT4H5M6.789S|1 year 2 mons 3 days 04:05:06.789",
            "P0Y0M-3DT-4H-5M-6.000001S|-3 days -04:05:06.000001",
            "P0Y0M1DT-1H0M0S|1 day -01:00:00",
            "P0Y0M-1DT2H0M0S|-1 days +02:00:00",
            "P0Y10M0DT0H0M0S|10 mons",
            "P0Y0M0DT0H0M0S|00:00:00",
            "P-1Y0M0DT0H0M0S|-1 years",
            "P0Y0M0DT0H0M0.5S|00:00:00.5"})
    void intervals(String iso, String expected) {
        assertEquals(expected, PgText.intervalFromIso(iso));
    }

    @Test
    void arraysQuoteLikePostgres() {
        assertEquals("{1,NULL,3}", PgText.arrayLiteral(Arrays.asList(1, null, 3)));
        assertEquals("{\"a b\",\"c,d\",NULL,\"\\\"q\\\"\",\"\",\"null\",x}",
                PgText.arrayLiteral(Arrays.asList("a b", "c,d", null, "\"q\"", "", "null", "x")));
        assertEquals("{{1,2},{3,4}}", PgText.arrayLiteral(List.of(List.of(1, 2), List.of(3, 4))));
        // float8[] / float4[] elements as PostgreSQL prints them (SELECT '{...}'::float8[] on PostgreSQL 17)
        assertEquals("{1,-2.5,0.0001,1e-05,123456789012345,1e+15,1.5e+300,NaN,Infinity,-Infinity,-0}",
                PgText.arrayLiteral(Arrays.asList(1.0, -2.5, 0.0001, 0.00001, 123456789012345.0, 1e15, 1.5e300,
                        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0)));
        assertEquals("{1,0.5,123456,1e+06,3.25e-07}",
                PgText.arrayLiteral(Arrays.asList(1.0f, 0.5f, 123456f, 1e6f, 3.25e-7f)));
        assertEquals("{t,f}", PgText.arrayLiteral(List.of(true, false)));
        assertEquals("{}", PgText.arrayLiteral(List.of()));
    }
}
