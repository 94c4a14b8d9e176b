-- Realistic read queries an agent sends; every line must classify SAFE. One statement per line;
-- {NL} stands for a newline inside the statement. Lines starting with "-- " are comments.
SELECT id, email, created_at FROM users WHERE id = 42
SELECT * FROM orders WHERE customer_id = 1017 ORDER BY created_at DESC LIMIT 20
SELECT count(*) FROM orders WHERE status = 'pending'
SELECT o.id, o.total_cents, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at >= now() - interval '7 days'
SELECT date_trunc('day', created_at) AS day, count(*) AS signups FROM users GROUP BY 1 ORDER BY 1
SELECT c.country, sum(o.total_cents) / 100.0 AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country ORDER BY revenue DESC
SELECT product_id, sum(quantity) FROM order_items GROUP BY product_id HAVING sum(quantity) > 100
SELECT id, name, price_cents FROM products WHERE category = 'books' AND price_cents BETWEEN 500 AND 2500
SELECT * FROM products WHERE name ILIKE '%wireless%' ORDER BY price_cents LIMIT 50
SELECT DISTINCT ON (customer_id) customer_id, id, created_at FROM orders ORDER BY customer_id, created_at DESC
SELECT user_id, event_type, occurred_at, row_number() OVER (PARTITION BY user_id ORDER BY occurred_at) AS n FROM events
SELECT day, revenue, sum(revenue) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS rolling_7d FROM daily_revenue
SELECT id, lag(total_cents) OVER (ORDER BY created_at) AS prev_total FROM orders WHERE customer_id = 5
SELECT customer_id, rank() OVER (ORDER BY lifetime_value DESC) FROM customer_stats LIMIT 10
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total_cents) AS median_order FROM orders
SELECT percentile_disc(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY duration_ms) FROM requests
SELECT count(*) FILTER (WHERE status = 'paid') AS paid, count(*) FILTER (WHERE status = 'refunded') AS refunded FROM orders
WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '30 days') SELECT customer_id, count(*) FROM recent GROUP BY customer_id
WITH RECURSIVE tree AS (SELECT id, parent_id, name FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.parent_id, c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree
WITH monthly AS (SELECT date_trunc('month', created_at) m, sum(total_cents) s FROM orders GROUP BY 1) SELECT m, s, s - lag(s) OVER (ORDER BY m) AS delta FROM monthly
SELECT * FROM generate_series(date '2024-01-01', date '2024-12-31', interval '1 month') AS g(month)
SELECT g.d::date, coalesce(count(o.id), 0) FROM generate_series(now() - interval '14 days', now(), '1 day') g(d) LEFT JOIN orders o ON o.created_at::date = g.d::date GROUP BY 1 ORDER BY 1
SELECT u.id, latest.* FROM users u CROSS JOIN LATERAL (SELECT id, created_at FROM orders o WHERE o.user_id = u.id ORDER BY created_at DESC LIMIT 3) latest
SELECT u.id, l.last_login FROM users u LEFT JOIN LATERAL (SELECT max(occurred_at) AS last_login FROM logins WHERE logins.user_id = u.id) l ON true
SELECT data->>'plan' AS plan, count(*) FROM accounts GROUP BY 1
SELECT id FROM events WHERE payload @> '{"type": "checkout"}'
SELECT id, payload->'items'->0->>'sku' FROM events WHERE payload ? 'items'
SELECT id FROM documents WHERE tags ?| array['urgent', 'legal']
SELECT id FROM documents WHERE metadata ?& array['author', 'title']
SELECT payload #>> '{customer,address,city}' AS city FROM events LIMIT 100
SELECT jsonb_array_length(payload->'items') FROM events WHERE id = 9
SELECT id, jsonb_pretty(settings) FROM accounts WHERE id = 3
SELECT key, value FROM jsonb_each_text((SELECT settings FROM accounts WHERE id = 3))
SELECT s.key, s.value FROM app_settings s WHERE s.key LIKE 'feature.%'
SELECT key, value, updated_at FROM settings ORDER BY key
SELECT value FROM settings WHERE key = 'maintenance_mode'
SELECT count(*) FROM statement WHERE amount > 0
SELECT * FROM orders WHERE id = ANY(ARRAY[101, 102, 103])
SELECT * FROM users WHERE id = ANY($1)
SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL
SELECT * FROM products WHERE 'sale' = ANY(tags)
SELECT id, tags FROM products WHERE tags && ARRAY['red', 'blue']::text[]
SELECT id FROM products WHERE tags @> ARRAY['organic']
SELECT unnest(tags) AS tag, count(*) FROM products GROUP BY 1 ORDER BY 2 DESC
SELECT array_agg(id ORDER BY id) FROM users WHERE team_id = 7
SELECT string_agg(name, ', ' ORDER BY name) FROM products WHERE category = 'tools'
SELECT id::text, total_cents::numeric / 100 AS total FROM orders LIMIT 5
SELECT created_at::date, count(*) FROM sessions GROUP BY created_at::date
SELECT CAST(amount AS numeric(12,2)) FROM payments WHERE id = 77
SELECT to_char(created_at, 'YYYY-MM') AS month, count(*) FROM invoices GROUP BY 1
SELECT extract(epoch FROM (finished_at - started_at)) AS seconds FROM jobs WHERE id = 12
SELECT extract(dow FROM created_at) AS weekday, count(*) FROM orders GROUP BY 1
SELECT age(now(), birth_date) FROM customers WHERE id = 8
SELECT * FROM bookings WHERE during && tstzrange(now(), now() + interval '1 day')
SELECT * FROM bookings WHERE during @> now()
SELECT * FROM reservations WHERE period <@ daterange('2024-01-01', '2024-02-01')
SELECT a.id, b.id FROM slots a JOIN slots b ON a.during -|- b.during
SELECT * FROM zones WHERE area |>> box '((0,0),(1,1))'
SELECT name FROM stores ORDER BY location <-> point(52.52, 13.40) LIMIT 5
SELECT id FROM shapes WHERE geom << box '((10,10),(20,20))'
SELECT * FROM shapes WHERE poly @> point(1,1)
SELECT id FROM circles WHERE c && circle '((0,0),5)'
SELECT id, substring(description for 80) AS teaser FROM products LIMIT 20
SELECT substring(phone from 1 for 3) AS area_code, count(*) FROM customers GROUP BY 1
SELECT substring(email from position('@' in email) + 1) AS domain FROM users
SELECT split_part(email, '@', 2) AS domain, count(*) FROM users GROUP BY 1 ORDER BY 2 DESC LIMIT 10
SELECT * FROM measurements* WHERE sensor_id = 4
SELECT count(*) FROM ONLY measurements
SELECT * FROM logs WHERE message ~ 'timeout|refused'
SELECT * FROM logs WHERE message !~* 'healthcheck'
SELECT * FROM users WHERE email ~~ '%@example.com'
SELECT * FROM articles WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'postgres replication')
SELECT id, ts_rank(search_vector, query) FROM articles, to_tsquery('backup & restore') query WHERE search_vector @@ query ORDER BY 2 DESC
SELECT * FROM events WHERE payload @? '$.items[*] ? (@.price > 100)'
SELECT jsonb_path_query(payload, '$.items[*].sku') FROM events WHERE id = 4
SELECT * FROM events WHERE payload @@ '$.total > 1000'
SELECT E'line1\nline2' AS txt
SELECT * FROM customers WHERE name = E'O\'Brien'
SELECT * FROM notes WHERE body LIKE E'%;%'
SELECT * FROM notes WHERE body = 'semi;colon'
SELECT 'it''s; fine' AS s, id FROM notes LIMIT 1
SELECT $$a ; b$$ AS x
SELECT $q$DROP TABLE users;$q$ AS harmless_text
SELECT * FROM audit_log WHERE details = $tag$DELETE FROM x$tag$
SELECT "User ID", "Full Name" FROM "Legacy Users" WHERE "User ID" < 100
SELECT "order"."id" FROM "order" LIMIT 10
SELECT t."select", t."from" FROM reserved_words t
SELECT U&"d\0061ta" FROM staging LIMIT 3
SELECT U&'caf\00e9' = 'café'
SELECT id /* inline comment; with semicolon */ FROM users LIMIT 1
SELECT id -- trailing; comment{NL}FROM users WHERE id = 1
/* leading comment */ SELECT now()
SELECT 1 /* outer /* nested */ still comment */ + 1
SELECT current_date, current_timestamp, current_user
SELECT now() AT TIME ZONE 'Europe/Berlin'
SELECT created_at AT TIME ZONE 'UTC' FROM orders WHERE id = 3
SELECT version()
SELECT pg_size_pretty(pg_total_relation_size('orders'))
SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC LIMIT 10
SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'public'
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users'
SELECT pid, state, query_start, left(query, 60) FROM pg_stat_activity WHERE datname = current_database()
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'orders'::regclass
SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%'
SELECT relname, seq_scan, idx_scan FROM pg_stat_user_tables WHERE seq_scan > idx_scan
SELECT * FROM pg_locks WHERE NOT granted
SELECT query, calls, mean_exec_time FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10
SELECT slot_name, active, restart_lsn FROM pg_replication_slots
SELECT pg_current_wal_lsn()
SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)
SELECT * FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
SELECT * FROM products WHERE id IN (SELECT product_id FROM order_items WHERE order_id = 55)
SELECT * FROM products WHERE id NOT IN (SELECT product_id FROM discontinued)
SELECT id FROM a UNION SELECT id FROM b
SELECT id FROM a UNION ALL SELECT id FROM b ORDER BY id
SELECT email FROM users INTERSECT SELECT email FROM newsletter_subscribers
SELECT email FROM users EXCEPT SELECT email FROM unsubscribed
(SELECT id FROM a ORDER BY id LIMIT 5) UNION (SELECT id FROM b ORDER BY id LIMIT 5)
VALUES (1, 'one'), (2, 'two')
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, letter)
TABLE customers
SELECT * FROM t1 NATURAL JOIN t2
SELECT * FROM orders FULL OUTER JOIN shipments USING (order_id)
SELECT * FROM a RIGHT JOIN b ON a.id = b.a_id WHERE b.flag
SELECT count(*) FROM users u JOIN teams t ON t.id = u.team_id AND t.active
SELECT * FROM orders ORDER BY created_at DESC NULLS LAST LIMIT 25 OFFSET 50
SELECT * FROM orders ORDER BY id FETCH FIRST 10 ROWS ONLY
SELECT * FROM orders OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY
SELECT status, count(*) FROM orders GROUP BY ROLLUP (status)
SELECT country, city, count(*) FROM customers GROUP BY GROUPING SETS ((country), (country, city), ())
SELECT region, product, sum(sales) FROM sales GROUP BY CUBE (region, product)
SELECT CASE WHEN total_cents > 10000 THEN 'large' WHEN total_cents > 1000 THEN 'medium' ELSE 'small' END AS size, count(*) FROM orders GROUP BY 1
SELECT coalesce(nickname, first_name) AS display FROM users WHERE id = 2
SELECT nullif(discount, 0) FROM orders LIMIT 3
SELECT greatest(a, b, c), least(a, b, c) FROM scores
SELECT round(avg(rating)::numeric, 2) FROM reviews WHERE product_id = 10
SELECT width_bucket(price_cents, 0, 10000, 10) AS bucket, count(*) FROM products GROUP BY 1 ORDER BY 1
SELECT corr(price_cents, sales) FROM product_stats
SELECT stddev_samp(duration_ms), variance(duration_ms) FROM requests WHERE route = '/api/orders'
SELECT mode() WITHIN GROUP (ORDER BY browser) FROM sessions
SELECT bool_and(verified), bool_or(admin) FROM users
SELECT md5(email) FROM users LIMIT 1
SELECT encode(sha256(convert_to(email, 'UTF8')), 'hex') FROM users WHERE id = 1
SELECT gen_random_uuid()
SELECT * FROM users WHERE id = '7c9e6679-7425-40de-944b-e07fc1f90ae7'::uuid
SELECT uuid, name FROM devices WHERE uuid = $1
SELECT lower(email), upper(country) FROM customers LIMIT 10
SELECT trim(both ' ' from name), ltrim(sku, '0') FROM products LIMIT 5
SELECT position('x' in sku) FROM products LIMIT 5
SELECT overlay(card_number placing '************' from 1 for 12) FROM payment_methods LIMIT 5
SELECT regexp_replace(phone, '[^0-9]', '', 'g') FROM customers LIMIT 5
SELECT regexp_matches(body, '#(\w+)', 'g') FROM posts WHERE id = 4
SELECT format('%s <%s>', name, email) FROM users LIMIT 3
SELECT concat_ws(' ', first_name, last_name) FROM users LIMIT 3
SELECT length(body), octet_length(body) FROM posts LIMIT 3
SELECT left(sku, 3), right(sku, 2) FROM products LIMIT 3
SELECT id FROM users WHERE created_at > '2024-01-01' AND created_at < '2024-02-01'
SELECT id FROM users WHERE created_at BETWEEN SYMMETRIC '2024-02-01' AND '2024-01-01'
SELECT * FROM users WHERE last_seen IS NOT NULL AND banned IS NOT TRUE
SELECT * FROM users WHERE manager_id IS DISTINCT FROM $1
SELECT * FROM users WHERE (first_name, last_name) = ('Ada', 'Lovelace')
SELECT * FROM events WHERE (user_id, occurred_at) > (10, '2024-01-01')
SELECT * FROM schedules WHERE (start_at, end_at) OVERLAPS (now(), now() + interval '1 hour')
SELECT a[1], a[2:3], array_length(a, 1) FROM matrix_rows
SELECT ARRAY(SELECT id FROM users WHERE team_id = 3)
SELECT ROW(1, 'a') = ROW(1, 'a')
SELECT (address).city FROM customers_typed LIMIT 3
SELECT id, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS items FROM orders o LIMIT 10
SELECT * FROM json_to_recordset('[{"a":1,"b":"x"}]') AS r(a int, b text)
SELECT * FROM jsonb_to_record('{"a":1}'::jsonb) AS x(a int)
SELECT * FROM unnest(ARRAY[1,2,3]) WITH ORDINALITY AS u(val, idx)
SELECT * FROM unnest(ARRAY['a','b'], ARRAY[1,2]) AS z(letter, num)
SELECT * FROM orders TABLESAMPLE SYSTEM (1)
SELECT * FROM orders TABLESAMPLE BERNOULLI (5) REPEATABLE (42)
SELECT xmin, ctid, * FROM orders WHERE id = 1
SELECT tableoid::regclass, count(*) FROM measurements GROUP BY 1
SELECT 'orders'::regclass::oid
SELECT '{"a":1}'::json->'a'
SELECT '[1,2,3]'::jsonb || '[4]'::jsonb
SELECT '{"a":{"b":1}}'::jsonb #- '{a,b}'
SELECT jsonb_set('{"a":1}', '{a}', '2')
SELECT jsonb_build_object('id', id, 'email', email) FROM users LIMIT 5
SELECT json_agg(t) FROM (SELECT id, name FROM teams) t
SELECT jsonb_object_agg(key, value) FROM settings
SELECT to_jsonb(u) - 'password_hash' FROM users u WHERE id = 1
SELECT count(*) FROM events WHERE payload->>'source' = 'mobile' AND (payload->>'version')::int >= 3
SELECT * FROM users WHERE email = 'a@b.c' FOR READ ONLY
SELECT 1 + 2 * 3 - 4 / 2 % 3, 2 ^ 10, |/ 16, @ -5
SELECT 10 |/ 2
SELECT 5 !~~ '5'
SELECT B'1010' | B'0101', X'1F'
SELECT 0x1F, 1_000_000, 1.5e3, .5
SELECT interval '1 day' * 3, date '2024-01-31' + 1
SELECT timestamp '2024-01-01 10:00' - timestamp '2024-01-01 08:30'
SELECT tstzrange(now(), now() + interval '1 hour') * tstzrange(now(), null)
SELECT lower(during), upper(during), isempty(during) FROM bookings LIMIT 3
SELECT int4range(1, 10) @> 5
SELECT numrange(1.0, 2.0) && numrange(1.5, 3.0)
SELECT daterange('2024-01-01', '2024-01-10') -|- daterange('2024-01-10', '2024-01-20')
SELECT point(1,2) <-> point(4,6)
SELECT box '((0,0),(2,2))' &< box '((1,1),(3,3))'
SELECT circle '((0,0),1)' <@ circle '((0,0),5)'
SELECT lseg '((0,0),(1,1))' ?# lseg '((0,1),(1,0))'
SELECT inet '192.168.1.5' << inet '192.168.1.0/24'
SELECT * FROM hosts WHERE addr <<= '10.0.0.0/8'
SELECT * FROM documents WHERE title % 'postgres'
SELECT similarity(name, 'jon') FROM people ORDER BY name <-> 'jon' LIMIT 5
SELECT id FROM items ORDER BY embedding <-> '[0.1,0.2,0.3]' LIMIT 5
SELECT id FROM items ORDER BY embedding <=> $1 LIMIT 10
SELECT * FROM words WHERE word ^@ 'pre'
SELECT 'abc' || 'def', 'x' || 1
SELECT count(DISTINCT user_id) FROM events WHERE occurred_at >= date_trunc('week', now())
SELECT date_trunc('hour', occurred_at) h, count(*) FROM events WHERE occurred_at > now() - interval '1 day' GROUP BY h ORDER BY h
SELECT date_part('year', created_at), count(*) FROM users GROUP BY 1
SELECT make_date(2024, 1, 1), make_interval(days => 3)
SELECT now() - interval '2 hours' AS two_hours_ago
SELECT to_timestamp(1700000000)
SELECT justify_interval(interval '40 days')
SELECT id FROM subscriptions WHERE renews_at < now() + interval '3 days' AND status = 'active'
SELECT s.plan, count(*), avg(s.price_cents) FROM subscriptions s WHERE s.status = 'active' GROUP BY s.plan
SELECT a.id, a.name, count(u.id) AS users FROM accounts a LEFT JOIN users u ON u.account_id = a.id GROUP BY a.id, a.name ORDER BY users DESC LIMIT 20
SELECT invoice_id, sum(amount_cents) FILTER (WHERE kind = 'charge') - sum(amount_cents) FILTER (WHERE kind = 'refund') AS net FROM ledger GROUP BY invoice_id
SELECT cohort, period, count(DISTINCT user_id) FROM (SELECT user_id, date_trunc('month', min(created_at) OVER (PARTITION BY user_id)) cohort, date_trunc('month', created_at) period FROM orders) x GROUP BY 1, 2 ORDER BY 1, 2
SELECT user_id, sum(amount) OVER w, avg(amount) OVER w FROM payments WINDOW w AS (PARTITION BY user_id ORDER BY paid_at)
SELECT ntile(4) OVER (ORDER BY lifetime_value) AS quartile, customer_id FROM customer_stats
SELECT first_value(price) OVER (PARTITION BY sku ORDER BY changed_at), last_value(price) OVER (PARTITION BY sku ORDER BY changed_at RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM price_history
SELECT id, cume_dist() OVER (ORDER BY score), percent_rank() OVER (ORDER BY score) FROM exam_results
SELECT dense_rank() OVER (PARTITION BY dept ORDER BY salary DESC) r, name FROM employees
WITH x AS MATERIALIZED (SELECT * FROM big_table WHERE flag) SELECT count(*) FROM x
WITH x AS NOT MATERIALIZED (SELECT id FROM users) SELECT * FROM x WHERE id < 10
WITH a AS (SELECT 1 AS n), b AS (SELECT n + 1 AS n FROM a) SELECT * FROM a, b
WITH t(n) AS (VALUES (1), (2)) SELECT sum(n) FROM t
WITH RECURSIVE fib(a, b) AS (SELECT 0, 1 UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib
WITH top AS (SELECT customer_id, sum(total_cents) s FROM orders GROUP BY 1 ORDER BY 2 DESC LIMIT 10) SELECT c.name, top.s FROM top JOIN customers c ON c.id = top.customer_id
SELECT * FROM orders WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz
SELECT * FROM orders WHERE status IN ('paid', 'shipped') AND total_cents > 0
SELECT * FROM orders WHERE status NOT IN ('cancelled')
SELECT * FROM customers WHERE email SIMILAR TO '%@(gmail|yahoo).com'
SELECT * FROM customers WHERE name ILIKE ANY (ARRAY['%smith%', '%jones%'])
SELECT * FROM tasks WHERE priority = ALL (SELECT max(priority) FROM tasks)
SELECT id FROM tasks WHERE due_at < now() AND NOT done
SELECT id FROM tasks WHERE done = false
SELECT id FROM tasks WHERE done IS FALSE
SELECT 1 WHERE 1 = 1
SELECT * FROM users WHERE true
SELECT * FROM users WHERE 1 = 1 AND id = 5
EXPLAIN SELECT * FROM orders WHERE customer_id = 3
EXPLAIN (FORMAT JSON) SELECT count(*) FROM orders
EXPLAIN (COSTS OFF, VERBOSE) SELECT * FROM users WHERE id = 1
EXPLAIN ANALYZE SELECT count(*) FROM orders WHERE status = 'paid'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM products WHERE category = 'books'
EXPLAIN UPDATE orders SET status = 'x' WHERE id = 1
EXPLAIN (ANALYZE false) DELETE FROM orders WHERE id = 1
SHOW search_path
SHOW statement_timeout
SHOW ALL
SELECT current_setting('search_path')
SELECT has_table_privilege('orders', 'SELECT')
SELECT pg_is_in_recovery()
SELECT count(*) FROM pg_stat_activity WHERE state = 'active'
SELECT datname, pg_database_size(datname) FROM pg_database
SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped
SELECT obj_description('orders'::regclass)
SELECT typname FROM pg_type WHERE typtype = 'e'
SELECT enum_range(NULL::order_status)
SELECT * FROM users u WHERE u.settings->>'theme' = 'dark' AND u.settings @> '{"beta": true}'
SELECT id, title FROM posts WHERE published AND (title ILIKE $1 OR body ILIKE $1) ORDER BY published_at DESC LIMIT 20
SELECT p.id, p.title, count(c.id) AS comments FROM posts p LEFT JOIN comments c ON c.post_id = p.id GROUP BY p.id ORDER BY comments DESC LIMIT 10
SELECT author_id, count(*) FILTER (WHERE published) AS published, count(*) AS total FROM posts GROUP BY author_id
SELECT DISTINCT country FROM customers ORDER BY country
SELECT count(*) AS n, min(created_at), max(created_at) FROM users
SELECT id FROM users ORDER BY random() LIMIT 5
SELECT * FROM users WHERE id % 100 = 7
SELECT id, amount_cents, sum(amount_cents) OVER (ORDER BY id) running FROM ledger WHERE account_id = 9 ORDER BY id
SELECT warehouse_id, sku, on_hand - reserved AS available FROM inventory WHERE on_hand - reserved < 10
SELECT s.sku, s.on_hand, p.name FROM inventory s JOIN products p USING (sku) WHERE s.warehouse_id = 2
SELECT carrier, avg(delivered_at - shipped_at) FROM shipments WHERE delivered_at IS NOT NULL GROUP BY carrier
SELECT ticket_id, status, assigned_to FROM support_tickets WHERE status <> 'closed' ORDER BY priority DESC, created_at
SELECT count(*) FROM support_tickets WHERE created_at::date = current_date
SELECT agent, avg(extract(epoch from resolved_at - created_at) / 3600) AS hours FROM support_tickets WHERE resolved_at IS NOT NULL GROUP BY agent
SELECT date_trunc('week', created_at) wk, count(*) FILTER (WHERE channel = 'email') email, count(*) FILTER (WHERE channel = 'chat') chat FROM support_tickets GROUP BY 1 ORDER BY 1
SELECT id, name FROM teams WHERE id IN (SELECT team_id FROM memberships WHERE user_id = $1)
SELECT m.user_id, m.role FROM memberships m WHERE m.team_id = 4 AND m.role IN ('owner', 'admin')
SELECT feature, enabled FROM feature_flags WHERE account_id = 12
SELECT * FROM api_keys WHERE prefix = 'pk_live' AND revoked_at IS NULL
SELECT endpoint, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) p95 FROM request_log WHERE ts > now() - interval '1 hour' GROUP BY endpoint ORDER BY p95 DESC
SELECT status_code / 100 AS class, count(*) FROM request_log GROUP BY 1
SELECT ip, count(*) FROM request_log WHERE ts > now() - interval '5 minutes' GROUP BY ip HAVING count(*) > 100
SELECT host(ip), masklen(ip) FROM request_log LIMIT 1
SELECT user_agent FROM request_log WHERE user_agent ILIKE '%bot%' LIMIT 20
SELECT to_char(ts, 'HH24') hr, count(*) FROM request_log GROUP BY 1 ORDER BY 1
SELECT sum(bytes) / 1024 / 1024 AS mb FROM request_log WHERE ts::date = current_date - 1
SELECT * FROM invoices WHERE due_date < current_date AND paid_at IS NULL ORDER BY due_date
SELECT customer_id, sum(amount_cents) FROM invoices WHERE paid_at IS NULL GROUP BY customer_id HAVING sum(amount_cents) > 50000
SELECT i.id, i.amount_cents, c.email FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1
SELECT currency, sum(amount_cents) FROM payments WHERE created_at >= date_trunc('month', current_date) GROUP BY currency
SELECT count(*) FILTER (WHERE status = 'failed')::float / nullif(count(*), 0) AS failure_rate FROM payments WHERE created_at > now() - interval '1 day'
SELECT provider, count(*) FROM payments GROUP BY ROLLUP (provider) ORDER BY provider NULLS FIRST
SELECT sku, name, price_cents FROM products WHERE price_cents = (SELECT max(price_cents) FROM products)
SELECT p.* FROM products p WHERE p.stock > 0 AND p.category_id IN (SELECT id FROM categories WHERE slug = 'garden')
SELECT category_id, avg(price_cents)::int FROM products GROUP BY category_id ORDER BY 2 DESC
SELECT r.product_id, avg(r.rating) avg_rating, count(*) n FROM reviews r GROUP BY r.product_id HAVING count(*) >= 5 ORDER BY avg_rating DESC LIMIT 10
SELECT * FROM reviews WHERE body ~* '\mrefund\M' LIMIT 10
SELECT id FROM carts WHERE updated_at < now() - interval '1 day' AND checked_out_at IS NULL
SELECT c.id, count(ci.*) FROM carts c JOIN cart_items ci ON ci.cart_id = c.id GROUP BY c.id
SELECT sum(ci.quantity * p.price_cents) FROM cart_items ci JOIN products p ON p.id = ci.product_id WHERE ci.cart_id = 77
SELECT e.name, d.name AS dept FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.hired_at > '2023-01-01'
SELECT d.name, count(e.id), avg(e.salary) FROM departments d LEFT JOIN employees e ON e.department_id = d.id GROUP BY d.name
SELECT e.name, m.name AS manager FROM employees e LEFT JOIN employees m ON m.id = e.manager_id
SELECT level, count(*) FROM employees GROUP BY level
SELECT name, type, status, comment, action, size FROM assets LIMIT 10
SELECT data, format, position, index FROM raw_imports LIMIT 5
SELECT name, value FROM pg_settings WHERE name LIKE 'max_%'
SELECT name, setting, unit FROM pg_settings WHERE name = 'work_mem'
SELECT output, returns FROM job_runs WHERE job_id = 3
SELECT statement, settings FROM saved_queries WHERE owner_id = 1
SELECT id FROM shipments WHERE tracking_number = ANY(string_to_array($1, ','))
SELECT * FROM shipments s WHERE s.status = 'in_transit' AND s.eta < now()
SELECT region, sum(units) FROM sales_2024 GROUP BY region
SELECT * FROM sales s JOIN regions r ON r.code = s.region_code WHERE r.continent = 'EU' AND s.sold_on >= '2024-06-01'
SELECT quarter, sum(revenue) FROM (SELECT date_trunc('quarter', sold_on) quarter, units * unit_price revenue FROM sales) q GROUP BY quarter ORDER BY quarter
SELECT channel, count(*) * 100.0 / sum(count(*)) OVER () AS pct FROM signups GROUP BY channel
SELECT utm_source, count(*) FROM signups WHERE created_at > now() - interval '30 days' GROUP BY 1 ORDER BY 2 DESC
SELECT s.user_id, min(s.started_at), max(s.ended_at) FROM sessions s GROUP BY s.user_id LIMIT 100
SELECT user_id FROM sessions GROUP BY user_id HAVING count(*) > 10 AND max(started_at) < now() - interval '30 days'
SELECT device, count(*) FROM sessions WHERE started_at::date BETWEEN '2024-03-01' AND '2024-03-31' GROUP BY device
SELECT a.id FROM accounts a WHERE a.plan = 'enterprise' AND a.seats > (SELECT count(*) FROM users u WHERE u.account_id = a.id)
SELECT a.id, a.trial_ends_at FROM accounts a WHERE a.trial_ends_at BETWEEN now() AND now() + interval '7 days'
SELECT count(*) FROM accounts WHERE churned_at IS NOT NULL AND churned_at > now() - interval '90 days'
SELECT name FROM accounts WHERE name COLLATE "C" < 'M'
SELECT * FROM accounts ORDER BY name COLLATE "en_US"
SELECT id FROM files WHERE path LIKE '/uploads/2024/%' AND size_bytes > 10 * 1024 * 1024
SELECT mime_type, count(*), sum(size_bytes) FROM files GROUP BY mime_type ORDER BY 3 DESC
SELECT id, encode(checksum, 'hex') FROM files WHERE id = 9
SELECT * FROM files WHERE checksum = decode('deadbeef', 'hex')
SELECT id FROM messages WHERE thread_id = $1 ORDER BY sent_at
SELECT thread_id, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM messages WHERE recipient_id = $1 GROUP BY thread_id
SELECT m.* FROM messages m WHERE m.body ILIKE '%invoice%' AND m.sent_at > now() - interval '1 year'
SELECT count(*) FROM notifications WHERE user_id = 3 AND NOT seen
SELECT kind, count(*) FROM notifications GROUP BY kind
SELECT * FROM webhooks WHERE failures >= 3 ORDER BY last_failure_at DESC
SELECT url, last_status FROM webhooks WHERE active AND last_status NOT BETWEEN 200 AND 299
SELECT job, max(finished_at) FROM cron_runs GROUP BY job
SELECT job, count(*) FILTER (WHERE ok) ok, count(*) FILTER (WHERE NOT ok) failed FROM cron_runs WHERE started_at > now() - interval '1 day' GROUP BY job
SELECT * FROM cron_runs WHERE output ILIKE '%error%' ORDER BY started_at DESC LIMIT 5
SELECT id, started_at FROM migrations ORDER BY id DESC LIMIT 1
SELECT version FROM schema_migrations ORDER BY version DESC LIMIT 5
SELECT 1
SELECT NULL
SELECT 'hello world'
SELECT true AND NOT false
SELECT 1 AS one; SELECT 2 AS two
SELECT id FROM users WHERE id = 1;
SELECT * FROM orders WHERE note = 'a -- not a comment'
SELECT * FROM orders WHERE note = '/* not a comment */'
SELECT * FROM orders WHERE note = 'drop table users'
SELECT 'delete from orders' AS example_text
SELECT "update", "delete" FROM audit_columns
SELECT t.update_count, t.insert_count FROM table_stats t
SELECT coalesce(sum(quantity), 0) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.status = 'paid' AND oi.product_id = $1
SELECT o.id FROM orders o WHERE o.shipping_address->>'country' = 'DE' AND o.total_cents > 5000
SELECT id FROM orders WHERE (metadata->'flags') ? 'fraud_review'
SELECT jsonb_agg(jsonb_build_object('sku', sku, 'qty', quantity)) FROM order_items WHERE order_id = 5
SELECT order_id, array_agg(DISTINCT product_id) FROM order_items GROUP BY order_id LIMIT 10
SELECT product_id, count(*) FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE created_at > now() - interval '7 days') GROUP BY product_id ORDER BY 2 DESC LIMIT 10
SELECT a.product_id, b.product_id, count(*) FROM order_items a JOIN order_items b ON a.order_id = b.order_id AND a.product_id < b.product_id GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20
