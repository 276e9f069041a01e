-- Ingest tokens for the OpenRouter Broadcast (OTLP) receiver (contract §3b): one per organization, sent as
-- `Authorization: Bearer <token>`. Tokens are 32 random bytes, so their SHA-256 alone is stored: the table
-- cannot be used to send usage. Rotation replaces the row; there is no grace period.
CREATE TABLE org_ingest_tokens (
  org_id       text PRIMARY KEY REFERENCES organizations (org_id) ON DELETE CASCADE,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  created_at   timestamptz NOT NULL DEFAULT now()
);
