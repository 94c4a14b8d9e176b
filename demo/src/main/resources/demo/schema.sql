-- Sample schema for ./backstop demo. Three tables, each with a bigint primary key `id`.
-- Generated server-side with generate_series so the demo starts in seconds.
CREATE TABLE IF NOT EXISTS public.customers (
    id          bigint PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    name        text NOT NULL,
    country     char(2) NOT NULL,
    plan        text NOT NULL DEFAULT 'free',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.orders (
    id           bigint PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES public.customers(id),
    status       text NOT NULL,
    total        numeric(12,2) NOT NULL,
    items        jsonb NOT NULL,
    placed_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS public.payments (
    id         bigint PRIMARY KEY,
    order_id   bigint NOT NULL,  -- no FK: the demo story deletes every order
    amount     numeric(12,2) NOT NULL,
    method     text NOT NULL,
    status     text NOT NULL,
    paid_at    timestamptz
);

INSERT INTO public.customers (id, email, name, country, plan, created_at)
SELECT g,
       'customer' || g || '@example.com',
       'Customer ' || g,
       (ARRAY['DE','FR','US','GB','NL','SE','JP','BR'])[1 + g % 8],
       (ARRAY['free','pro','team'])[1 + g % 3],
       timestamptz '2024-01-01 00:00:00+00' + (g || ' minutes')::interval
FROM generate_series(1, 20000) AS g
ON CONFLICT (id) DO NOTHING;

INSERT INTO public.orders (id, customer_id, status, total, items, placed_at)
SELECT g,
       1 + (g * 7919) % 20000,
       (ARRAY['placed','paid','shipped','delivered','cancelled'])[1 + g % 5],
       round(((g * 37) % 50000) / 100.0 + 5, 2),
       jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (g % 500), 'qty', 1 + g % 4)),
       timestamptz '2025-01-01 00:00:00+00' + (g || ' seconds')::interval * 60
FROM generate_series(1, 60000) AS g
ON CONFLICT (id) DO NOTHING;

INSERT INTO public.payments (id, order_id, amount, method, status, paid_at)
SELECT g,
       g,
       round(((g * 37) % 50000) / 100.0 + 5, 2),
       (ARRAY['card','sepa','paypal'])[1 + g % 3],
       CASE WHEN g % 5 = 4 THEN 'refunded' ELSE 'captured' END,
       timestamptz '2025-01-01 00:05:00+00' + (g || ' seconds')::interval * 60
FROM generate_series(1, 40000) AS g
ON CONFLICT (id) DO NOTHING;

ANALYZE public.customers;
ANALYZE public.orders;
ANALYZE public.payments;
