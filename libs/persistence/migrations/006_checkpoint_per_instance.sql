-- One checkpoint row per aggregator instance (docs/ARCHITECTURE.md, "Scaling out"). Instances share one
-- durable consumer and each commits its own row with its batch, so their transactions never queue on a single
-- row; a projection's checkpoint is the greatest of its rows. The row written before this migration keeps the
-- empty instance name (as does any writer that names none, e.g. a rebuild).
ALTER TABLE projection_checkpoints ADD COLUMN instance text NOT NULL DEFAULT '';
ALTER TABLE projection_checkpoints DROP CONSTRAINT projection_checkpoints_pkey, ADD PRIMARY KEY (projection, instance);
