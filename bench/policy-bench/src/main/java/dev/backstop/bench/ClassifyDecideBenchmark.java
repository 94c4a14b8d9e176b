package dev.backstop.bench;

import dev.backstop.policy.Classification;
import dev.backstop.policy.Decision;
import dev.backstop.policy.DecisionContext;
import dev.backstop.policy.Policy;
import dev.backstop.policy.PolicyEngine;
import dev.backstop.policy.SqlClassifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * classify + decide on one thread (one core): a realistic agent mix (short application and
 * analytics queries, a few writes), long regression-style queries, and a repeated text served
 * from the cache. Uncached cases use a classifier with the cache disabled, so every op parses.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m"})
@Threads(1)
public class ClassifyDecideBenchmark {
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("(?<![$\\w])\\d+");
    static final List<String> AGENT_MIX = List.of(
            "SELECT id, email, created_at FROM users WHERE id = 42",
            "SELECT * FROM orders WHERE customer_id = 1017 ORDER BY created_at DESC LIMIT 20",
            "SELECT count(*) FROM orders WHERE status = 'pending'",
            "SELECT o.id, o.total_cents, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at >= now() - interval '7 days'",
            "SELECT date_trunc('day', created_at) AS day, count(*) AS signups FROM users GROUP BY 1 ORDER BY 1",
            "SELECT c.country, sum(o.total_cents) / 100.0 AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country ORDER BY revenue DESC",
            "SELECT product_id, sum(quantity) FROM order_items GROUP BY product_id HAVING sum(quantity) > 100",
            "SELECT DISTINCT ON (customer_id) customer_id, id, created_at FROM orders ORDER BY customer_id, created_at DESC",
            "SELECT user_id, event_type, row_number() OVER (PARTITION BY user_id ORDER BY occurred_at) AS n FROM events",
            "WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '30 days') SELECT customer_id, count(*) FROM recent GROUP BY customer_id",
            "SELECT id FROM events WHERE payload @> '{\"type\": \"checkout\"}'",
            "SELECT data->>'plan' AS plan, count(*) FROM accounts GROUP BY 1",
            "SELECT key, value FROM settings ORDER BY key",
            "SELECT * FROM bookings WHERE during && tstzrange(now(), now() + interval '1 day')",
            "SELECT id, substring(description for 80) AS teaser FROM products LIMIT 20",
            "SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL",
            "SELECT count(*) FILTER (WHERE status = 'paid') AS paid FROM orders",
            "UPDATE users SET last_seen = now() WHERE id = 42",
            "INSERT INTO events (user_id, event_type, payload) VALUES (42, 'login', '{}')",
            "DELETE FROM sessions WHERE expires_at < now()",
            "INSERT INTO carts (id, user_id) VALUES (9, 42) ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id",
            "SELECT * FROM jobs WHERE state = 'ready' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1",
            "EXPLAIN SELECT * FROM orders WHERE customer_id = 3",
            "SELECT u.id, l.last_login FROM users u LEFT JOIN LATERAL (SELECT max(occurred_at) AS last_login FROM logins WHERE logins.user_id = u.id) l ON true");

    static List<String> longQueries() {
        List<String> out = new ArrayList<>();
        for (int n : new int[] {10, 20, 40}) {
            StringBuilder sb = new StringBuilder("WITH ");
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append("c").append(i).append(" AS (SELECT o.customer_id, date_trunc('week', o.created_at) wk, ")
                        .append("sum(oi.quantity * p.price_cents) FILTER (WHERE p.category = 'cat").append(i).append("') s, ")
                        .append("count(DISTINCT o.id) n FROM orders o JOIN order_items oi ON oi.order_id = o.id ")
                        .append("JOIN products p ON p.id = oi.product_id WHERE o.status IN ('paid', 'shipped') ")
                        .append("AND o.created_at >= now() - interval '").append(i + 1).append(" months' GROUP BY 1, 2)");
            }
            sb.append(" SELECT c0.customer_id, c0.wk");
            for (int i = 0; i < n; i++) {
                sb.append(", coalesce(c").append(i).append(".s, 0) AS s").append(i);
            }
            sb.append(" FROM c0");
            for (int i = 1; i < n; i++) {
                sb.append(" LEFT JOIN c").append(i).append(" ON c").append(i).append(".customer_id = c0.customer_id AND c")
                        .append(i).append(".wk = c0.wk");
            }
            sb.append(" ORDER BY 1, 2");
            out.add(sb.toString());
        }
        return out;
    }

    private SqlClassifier uncached;
    private SqlClassifier cached;
    private Policy policy;
    private List<String> longs;
    private int i;
    private int j;
    private int k;

    @Setup
    public void setup() {
        policy = Policy.defaults();
        uncached = new SqlClassifier(policy.maxStatementBytes(), SqlClassifier.DEFAULT_PARSE_TIMEOUT_MILLIS, 0);
        cached = new SqlClassifier(policy.maxStatementBytes());
        longs = longQueries();
    }

    @Benchmark
    public Decision agentMix() {
        String sql = AGENT_MIX.get(i++ % AGENT_MIX.size());
        Classification c = uncached.classify(sql);
        return PolicyEngine.decide(c, policy, DecisionContext.NONE);
    }

    @Benchmark
    public Decision longRegressionQueries() {
        String sql = longs.get(j++ % longs.size());
        return PolicyEngine.decide(uncached.classify(sql), policy, DecisionContext.NONE);
    }

    /**
     * The agent mix with every number replaced by a new one each time, through the default caches:
     * the text cache misses for every statement with a number; plain reads then hit the read-shape
     * cache after their first parse, writes are parsed each time.
     */
    @Benchmark
    public Decision agentMixNewConstants() {
        int n = k++;
        String sql = NUMBER.matcher(AGENT_MIX.get(n % AGENT_MIX.size())).replaceAll(Integer.toString(1_000_000 + n));
        return PolicyEngine.decide(cached.classify(sql), policy, DecisionContext.NONE);
    }

    @Benchmark
    public Decision cacheHit() {
        return PolicyEngine.decide(cached.classify(AGENT_MIX.get(3)), policy, DecisionContext.NONE);
    }
}
