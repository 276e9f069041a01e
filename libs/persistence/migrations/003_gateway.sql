-- The gateway's rate limit (contract §5: 100 requests a minute per user), shared by every gateway instance.
-- One row per user and fixed window. UNLOGGED: counters are worth no WAL; after a crash they start at zero,
-- which at worst lets a user through a little early.
CREATE UNLOGGED TABLE gateway_rate_limits (
  key            text PRIMARY KEY,
  hits           integer NOT NULL,
  window_ends_at timestamptz NOT NULL
);
-- For sweeping windows that have ended.
CREATE INDEX gateway_rate_limits_window_ends_at ON gateway_rate_limits (window_ends_at);
