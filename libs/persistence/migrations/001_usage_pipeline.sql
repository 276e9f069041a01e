-- Organizations and their webhook secrets (contract §2).
CREATE TABLE organizations (
  org_id     text PRIMARY KEY CHECK (org_id ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  name       text NOT NULL,
  time_zone  text NOT NULL DEFAULT 'UTC',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- HMAC keys must be readable to verify signatures, so secrets are stored as issued. A rotated secret keeps
-- working until expires_at (24 h); the current one has none.
CREATE TABLE org_webhook_secrets (
  org_id     text NOT NULL REFERENCES organizations (org_id) ON DELETE CASCADE,
  secret     text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz,
  PRIMARY KEY (org_id, created_at)
);

-- The model catalog and the markup schedule, owned by pricing-fx (contract §6). History is kept: a model
-- is retired, never deleted, and a markup applies from a moment on.
CREATE TABLE catalog_models (
  model_id     text PRIMARY KEY,
  display_name text NOT NULL,
  provider     text NOT NULL,
  position     integer NOT NULL,
  added_at     timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

CREATE TABLE markup_rates (
  effective_from timestamptz PRIMARY KEY,
  rate           numeric NOT NULL CHECK (rate > 0),
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- The projection: one row per (org, usage day in the org's zone, model). Money is NUMERIC, summed exactly.
CREATE TABLE client_model_daily_usage (
  org_id            text   NOT NULL,
  usage_day         date   NOT NULL,
  model             text   NOT NULL,
  prompt_tokens     bigint NOT NULL,
  completion_tokens bigint NOT NULL,
  total_tokens      bigint NOT NULL,
  requests          bigint NOT NULL,
  raw_cost          numeric NOT NULL,
  markup_cost       numeric NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, usage_day, model)
);

-- Distinct end users per org and month (of the org's calendar), for the monthly summary.
CREATE TABLE org_monthly_users (
  org_id  text NOT NULL,
  month   date NOT NULL,
  user_id text NOT NULL,
  PRIMARY KEY (org_id, month, user_id)
);

-- Every generation id projected, per org: the exactly-once guarantee. Ingest refuses records older than
-- 35 days, so keeping ids for 36 days of stream time makes deduplication complete.
CREATE TABLE usage_ledger (
  org_id        text NOT NULL,
  generation_id text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  fingerprint   text NOT NULL,
  stream_seq    bigint NOT NULL,
  PRIMARY KEY (org_id, generation_id)
);
CREATE INDEX usage_ledger_occurred_at ON usage_ledger (occurred_at);

-- How far each projection has read the stream, committed with the rows it wrote. `clock` is the latest
-- receive time projected: the ledger is pruned relative to it, so replays of old history stay exact.
CREATE TABLE projection_checkpoints (
  projection text PRIMARY KEY,
  stream_seq bigint NOT NULL,
  clock      timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
