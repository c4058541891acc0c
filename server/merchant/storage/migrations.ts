/**
 * Schema migrations for both engines, from one list: entry n is applied once, in order, on start.
 * SQLite remembers how far a file got in `user_version`; PostgreSQL in the `schema_migrations` table.
 * Each text is written once, with the few words the dialects spell differently left to `Dialect`.
 * The SQLite text of an entry never changes once released (files in the field ran it); the
 * PostgreSQL text says the same in its dialect: BIGINT for milliseconds and fen (read back as
 * numbers), INTEGER for counts and 0/1 flags, identity ids, and a `rowid` identity column where SQLite
 * breaks ties by its implicit rowid (insertion order), so the same ORDER BY reads the same; records
 * never carry it (postgres-table.ts leaves it out).
 */
export interface Migration {
  name: string
  sqlite: string
  postgres: string
}

/** How the two dialects spell what the shared text leaves open. */
interface Dialect {
  /** Milliseconds since the epoch and amounts in fen (PostgreSQL's INTEGER is 32-bit). */
  bigint: string
  /** An auto-numbered primary key. */
  serial: string
  /** After a table's first column: PostgreSQL's insertion-order column (SQLite has its implicit rowid). */
  rowid: string
}

const SQLITE: Dialect = { bigint: 'INTEGER', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT', rowid: '' }
const POSTGRES: Dialect = { bigint: 'BIGINT', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', rowid: '\n    rowid BIGINT GENERATED ALWAYS AS IDENTITY,' }

const core = (d: Dialect) => `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     openid TEXT NOT NULL UNIQUE,
     unionid TEXT,
     created_at ${d.bigint} NOT NULL,
     last_login_at ${d.bigint} NOT NULL
   );
   CREATE TABLE orders (
     order_no TEXT PRIMARY KEY,${d.rowid}
     user_id TEXT NOT NULL REFERENCES users(id),
     request_id TEXT NOT NULL,
     amount ${d.bigint} NOT NULL CHECK (amount > 0),
     description TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('unpaid','paid','closed','refunded','failed')),
     created_at ${d.bigint} NOT NULL,
     expires_at ${d.bigint} NOT NULL,
     paid_at ${d.bigint},
     transaction_id TEXT,
     paid_out_trade_no TEXT,
     refunded_amount ${d.bigint} NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
     last_queried_at ${d.bigint},
     UNIQUE (user_id, request_id)
   );
   CREATE INDEX orders_user_created ON orders(user_id, created_at DESC);
   CREATE INDEX orders_status_created ON orders(status, created_at);
   CREATE TABLE attempts (
     out_trade_no TEXT PRIMARY KEY,
     order_no TEXT NOT NULL REFERENCES orders(order_no),
     seq INTEGER NOT NULL,
     openid TEXT NOT NULL,
     time_expire TEXT NOT NULL,
     prepay_id TEXT,
     prepay_expires_at ${d.bigint},
     status TEXT NOT NULL,
     created_at ${d.bigint} NOT NULL,
     transaction_id TEXT,
     paid_at ${d.bigint},
     UNIQUE (order_no, seq)
   );
   CREATE TABLE refunds (
     out_refund_no TEXT PRIMARY KEY,${d.rowid}
     order_no TEXT NOT NULL REFERENCES orders(order_no),
     out_trade_no TEXT NOT NULL,
     amount ${d.bigint} NOT NULL CHECK (amount > 0),
     total ${d.bigint} NOT NULL,
     reason TEXT NOT NULL,
     kind TEXT NOT NULL,
     request_id TEXT,
     status TEXT NOT NULL,
     refund_id TEXT,
     created_at ${d.bigint} NOT NULL,
     updated_at ${d.bigint} NOT NULL,
     UNIQUE (order_no, request_id)
   );
   CREATE INDEX refunds_order ON refunds(order_no);
   CREATE TABLE notification_log (
     id ${d.serial},
     received_at ${d.bigint} NOT NULL,
     event_id TEXT,
     event_type TEXT,
     out_trade_no TEXT,
     outcome TEXT NOT NULL,
     detail TEXT NOT NULL
   );`

/** Applications, shops, and the shop an order is paid to. */
const onboarding = (d: Dialect) => `
  CREATE TABLE applications (
    application_no TEXT PRIMARY KEY,${d.rowid}
    user_id TEXT NOT NULL REFERENCES users(id),
    request_id TEXT NOT NULL,
    out_request_no TEXT NOT NULL UNIQUE,
    organization_type TEXT NOT NULL,
    merchant_shortname TEXT NOT NULL,
    state TEXT NOT NULL,
    state_desc TEXT,
    applyment_id TEXT,
    sub_mchid TEXT,
    shop_id TEXT,
    sign_url TEXT,
    legal_validation_url TEXT,
    account_validation TEXT,
    rejections TEXT,
    sealed TEXT NOT NULL,
    created_at ${d.bigint} NOT NULL,
    updated_at ${d.bigint} NOT NULL,
    last_queried_at ${d.bigint},
    UNIQUE (user_id, request_id)
  );
  CREATE INDEX applications_user_created ON applications(user_id, created_at DESC);
  CREATE INDEX applications_state ON applications(state);
  CREATE TABLE shops (
    shop_id TEXT PRIMARY KEY,
    sub_mchid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sub_app_id TEXT,
    application_no TEXT REFERENCES applications(application_no),
    created_at ${d.bigint} NOT NULL
  );
  ALTER TABLE orders ADD COLUMN shop_id TEXT;
  ALTER TABLE orders ADD COLUMN sub_mchid TEXT;
  ALTER TABLE orders ADD COLUMN sub_app_id TEXT;`

/** Whether an order was placed with profit sharing, its split summary, the split jobs, admin splits and returns. */
const splits = (d: Dialect) => `
  ALTER TABLE orders ADD COLUMN profit_sharing INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE orders ADD COLUMN split_status TEXT;
  ALTER TABLE orders ADD COLUMN split_commission ${d.bigint};
  ALTER TABLE orders ADD COLUMN split_unfrozen ${d.bigint};
  CREATE TABLE split_jobs (
    order_no TEXT PRIMARY KEY REFERENCES orders(order_no),${d.rowid}
    step TEXT NOT NULL CHECK (step IN ('split','finish','done','failed')),
    attempts INTEGER NOT NULL,
    next_at ${d.bigint} NOT NULL,
    last_error TEXT,
    created_at ${d.bigint} NOT NULL,
    updated_at ${d.bigint} NOT NULL
  );
  CREATE INDEX split_jobs_due ON split_jobs(step, next_at);
  CREATE TABLE splits (
    split_no TEXT PRIMARY KEY,${d.rowid}
    order_no TEXT NOT NULL REFERENCES orders(order_no),
    request_id TEXT NOT NULL,
    receivers TEXT NOT NULL,
    finish INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processing','finished','failed')),
    fail_reason TEXT,
    created_at ${d.bigint} NOT NULL,
    updated_at ${d.bigint} NOT NULL,
    UNIQUE (order_no, request_id)
  );
  CREATE TABLE split_returns (
    return_no TEXT PRIMARY KEY,${d.rowid}
    split_no TEXT NOT NULL REFERENCES splits(split_no),
    order_no TEXT NOT NULL REFERENCES orders(order_no),
    request_id TEXT NOT NULL,
    return_mchid TEXT NOT NULL,
    amount ${d.bigint} NOT NULL CHECK (amount > 0),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processing','succeeded','failed')),
    fail_reason TEXT,
    created_at ${d.bigint} NOT NULL,
    updated_at ${d.bigint} NOT NULL,
    UNIQUE (split_no, request_id)
  );
`

/**
 * The shared limiter's state (postgres-guards.ts): per name and key, how many hits were ever taken
 * (`taken`, the next hit's number) and, as rows, the hits that can still matter (the last `limit`,
 * inside the window). `rate_take` answers one take with O(1) work: the hit `limit` hits back
 * decides, as in the in-memory ring. It runs at READ COMMITTED: the upsert locks the key's row
 * (a concurrent take of the key waits, then reads the count it left), and each later statement
 * sees the hits committed before that lock was granted. Hit rows are upserted, so leftovers of a
 * key whose row was pruned while idle are overwritten, never in the way.
 */
const RATE_TAKE = `
  DROP TABLE rate_limits;
  CREATE TABLE rate_limits (name TEXT NOT NULL, key TEXT NOT NULL, taken BIGINT NOT NULL, last_at BIGINT NOT NULL, PRIMARY KEY (name, key));
  CREATE TABLE rate_hits (name TEXT NOT NULL, key TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (name, key, seq));
  CREATE FUNCTION rate_take(p_name TEXT, p_key TEXT, p_now BIGINT, p_window BIGINT, p_limit INTEGER) RETURNS BOOLEAN
  LANGUAGE plpgsql AS $$
  DECLARE
    n BIGINT;
    oldest BIGINT;
  BEGIN
    -- A hit lost in a power cut is harmless: this commit does not wait for the WAL's flush.
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO rate_limits AS r (name, key, taken, last_at) VALUES (p_name, p_key, 0, p_now)
      ON CONFLICT (name, key) DO UPDATE SET taken = r.taken RETURNING r.taken INTO n;
    IF n >= p_limit THEN
      SELECT h.at INTO oldest FROM rate_hits h WHERE h.name = p_name AND h.key = p_key AND h.seq = n - p_limit + 1;
      IF oldest IS NOT NULL AND oldest > p_now - p_window THEN
        RETURN FALSE;
      END IF;
    END IF;
    INSERT INTO rate_hits AS h (name, key, seq, at) VALUES (p_name, p_key, n + 1, p_now)
      ON CONFLICT (name, key, seq) DO UPDATE SET at = EXCLUDED.at;
    UPDATE rate_limits SET taken = n + 1, last_at = p_now WHERE name = p_name AND key = p_key;
    -- Drop hits that no longer matter (older than the last p_limit, or out of the window), at most
    -- two per take from the oldest end: the rows stay bounded and no take scans them all.
    DELETE FROM rate_hits h USING (
      SELECT o.seq FROM rate_hits o WHERE o.name = p_name AND o.key = p_key ORDER BY o.seq LIMIT 2
    ) first
    WHERE h.name = p_name AND h.key = p_key AND h.seq = first.seq AND (h.seq <= n + 1 - p_limit OR h.at <= p_now - p_window);
    RETURN TRUE;
  END $$;
`

/**
 * Orders that were unpaid when last written, for the reconciler: a row is added by trigger when an
 * order is stored unpaid (or becomes unpaid again) and removed by the reconciler once the order is
 * no longer unpaid, so a payment itself never touches this table.
 */
const OPEN_ORDERS = `
  ALTER TABLE orders SET (fillfactor = 80);
  ALTER TABLE attempts SET (fillfactor = 80);
  CREATE TABLE open_orders (order_no TEXT PRIMARY KEY, created_at BIGINT NOT NULL);
  CREATE INDEX open_orders_created ON open_orders(created_at);
  INSERT INTO open_orders (order_no, created_at) SELECT order_no, created_at FROM orders WHERE status = 'unpaid';
  CREATE FUNCTION orders_open() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO open_orders (order_no, created_at) VALUES (NEW.order_no, NEW.created_at) ON CONFLICT (order_no) DO NOTHING;
    RETURN NULL;
  END $$;
  CREATE TRIGGER orders_opened AFTER INSERT ON orders FOR EACH ROW WHEN (NEW.status = 'unpaid') EXECUTE FUNCTION orders_open();
  CREATE TRIGGER orders_reopened AFTER UPDATE OF status ON orders FOR EACH ROW
    WHEN (NEW.status = 'unpaid' AND OLD.status <> 'unpaid') EXECUTE FUNCTION orders_open();
  DROP INDEX orders_status_created;
`

/** Both dialects of one migration text. */
const both = (name: string, text: (d: Dialect) => string): Migration => ({ name, sqlite: text(SQLITE), postgres: text(POSTGRES) })

export const MIGRATIONS: readonly Migration[] = [
  both('core', core),
  both('onboarding', onboarding),
  both('splits', splits),
  // Created outside the numbered list before; IF NOT EXISTS keeps files that already have it.
  both('component_ticket', (d) => `CREATE TABLE IF NOT EXISTS component_ticket (id INTEGER PRIMARY KEY CHECK (id = 1), ticket TEXT NOT NULL, received_at ${d.bigint} NOT NULL)`),
  {
    // The shared rate limiter (postgres-guards.ts): per name and key, the times of the hits still in
    // the window. SQLite keeps its limiters in memory (one process), so nothing to create there.
    name: 'rate_limits',
    sqlite: '-- PostgreSQL only',
    postgres: 'CREATE TABLE rate_limits (name TEXT NOT NULL, key TEXT NOT NULL, hits BIGINT[] NOT NULL, PRIMARY KEY (name, key))',
  },
  {
    // The limiter's hits as rows instead of one array (rewritten whole on every take: 18 ms per take
    // for a key with 14,000 hits in its window), taken by `rate_take` in one round trip. The old
    // table only held hits of the last window: dropped, not copied.
    name: 'rate_hits',
    sqlite: '-- PostgreSQL only',
    postgres: RATE_TAKE,
  },
  {
    // PostgreSQL runs SERIALIZABLE, and a btree index takes its predicate locks per leaf page: with
    // `status` indexed, paying an order inserted new entries into the pages every concurrent payment
    // had read, and two payments at once failed to serialize (1.5 retries per payment under load).
    // The index goes, so a payment is a HOT update (no index touched; fillfactor leaves the room),
    // and the reconciler finds unpaid orders through `open_orders` (postgres.ts listUnpaid).
    name: 'open_orders',
    sqlite: '-- PostgreSQL only',
    postgres: OPEN_ORDERS,
  },
]
