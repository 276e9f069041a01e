-- Versions of the usage projection (docs/OPERATIONS.md, "Retention and rebuilds"). The live version always
-- has the plain table names the aggregator writes and the gateway reads (client_model_daily_usage,
-- org_monthly_users, usage_ledger; checkpoint 'client_model_daily_usage'). Any other version has them with a
-- suffix: client_model_daily_usage_v<N>, org_monthly_users_v<N>, usage_ledger_v<N>, checkpoint
-- 'client_model_daily_usage_v<N>'. A rebuild replays the stream into a new building version, then swaps the
-- names in one transaction; the previous live version is kept, retired, until it is dropped.
CREATE TABLE projection_versions (
  version       integer PRIMARY KEY CHECK (version > 0),
  -- PROJECTION_VERSION (libs/domain) of the code that built the rows.
  logic_version integer NOT NULL,
  status        text NOT NULL CHECK (status IN ('building', 'live', 'retired', 'dropped')),
  -- The first stream sequence replayed (1: the whole stream); a version built with --from-seq/--from-time
  -- holds only the events from there on, and verification compares it with that part of the stream.
  start_seq     bigint NOT NULL DEFAULT 1 CHECK (start_seq > 0),
  start_time    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  live_from     timestamptz,
  retired_at    timestamptz,
  dropped_at    timestamptz
);
CREATE UNIQUE INDEX projection_versions_one_live ON projection_versions (status) WHERE status = 'live';
CREATE UNIQUE INDEX projection_versions_one_building ON projection_versions (status) WHERE status = 'building';

-- The tables of migration 001 are version 1, built by the first projection logic.
INSERT INTO projection_versions (version, logic_version, status, live_from) VALUES (1, 1, 'live', now());

-- Every erasure of an organization's usage data (`org delete-data`): who asked, when, and what went.
CREATE TABLE org_data_deletions (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id               text NOT NULL,
  requested_by         text NOT NULL,
  deleted_at           timestamptz NOT NULL DEFAULT now(),
  stream_messages      bigint NOT NULL,
  dead_letter_messages bigint NOT NULL,
  daily_rows           bigint NOT NULL,
  monthly_user_rows    bigint NOT NULL,
  ledger_rows          bigint NOT NULL,
  -- The projection versions whose tables were cleaned.
  versions             integer[] NOT NULL
);
CREATE INDEX org_data_deletions_org_id ON org_data_deletions (org_id);
