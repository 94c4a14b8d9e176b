package dev.backstop.restore;

import dev.backstop.testsupport.PgDatabase;

/** The end-to-end tests' {@code orders} table: bigint key and one column of every kind the format stores. */
final class Orders {
    static final String COLUMNS = "id, customer, amount, total, qty, small, price, ratio, paid, created, ship_day, "
            + "ship_time, local_ts, data, tags, doc, raw, dur, uid, code, note";

    private Orders() {
    }

    static void create(PgDatabase db, int rows) throws Exception {
        db.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), total numeric,"
                        + " qty integer, small smallint, price double precision, ratio real, paid boolean,"
                        + " created timestamptz, ship_day date, ship_time time, local_ts timestamp, data bytea,"
                        + " tags text[], doc jsonb, raw json, dur interval, uid uuid, code char(5), note varchar(40))",
                insert(1, rows));
    }

    /** Rows {@code from..to} with NULLs, escapes, unicode, arrays with NULL and quotes, json, intervals, infinity. */
    static String insert(int from, int to) {
        return "INSERT INTO orders SELECT g,"
                + " CASE g % 5 WHEN 0 THEN E'tab\\there' WHEN 1 THEN E'new\\nline\\r' WHEN 2 THEN E'back\\\\slash \"q\" ''s'''"
                + "   WHEN 3 THEN 'Zoë 🍕 ' || g ELSE 'c' || g END,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE g * 1.25 END,"
                + " CASE WHEN g % 11 = 0 THEN NULL ELSE g / 3.0 END,"
                + " g * 10, (g % 100)::smallint,"
                + " CASE WHEN g % 13 = 0 THEN 'Infinity'::float8 WHEN g % 17 = 0 THEN -0.0::float8 ELSE g / 7.0 END,"
                + " (g / 3.0)::real, g % 2 = 0,"
                + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute 1.5 seconds',"
                + " date '2026-01-01' + g, time '10:00' + g * interval '1.25 second',"
                + " timestamp '2026-01-01 12:00' + g * interval '1 hour',"
                + " CASE WHEN g % 3 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') || '\\x005c0a'::bytea END,"
                + " ARRAY['a' || g, NULL, 'x,y \"z\" \\ w'],"
                + " jsonb_build_object('n', g, 's', E'v\\t' || g),"
                + " ('{\"b\": 1,  \"a\": ' || g || '}')::json,"
                + " g * interval '1 day 2 hours 3.5 seconds',"
                + " md5(g::text)::uuid, 'c' || (g % 10), CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END"
                + " FROM generate_series(" + from + ", " + to + ") g";
    }
}
