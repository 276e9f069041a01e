-- Row-level security on the projection, as defence in depth behind the gateway's own org filters: the gateway
-- reads as `mai_gateway_reader` with `mai.org_id` set for its transaction (libs/persistence withOrgScope), so
-- a query that forgets `WHERE org_id = …` still sees one organization only, and none when the org is unset.
-- RLS is ENABLEd, not FORCEd: the tables' owner (the aggregator, migrations, the CLI) is not affected.

-- Roles belong to the whole cluster, not to this database: create it once, whichever database migrates first
-- (test runs migrate many databases of one cluster at the same time).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mai_gateway_reader') THEN
    CREATE ROLE mai_gateway_reader NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by another database's migration
  WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'creating the role mai_gateway_reader needs CREATEROLE'
      USING HINT = 'or have an administrator run: CREATE ROLE mai_gateway_reader NOLOGIN; GRANT mai_gateway_reader TO <the services'' user>';
END
$$;

-- The services' own login must be able to `SET ROLE mai_gateway_reader` (a superuser always can).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'mai_gateway_reader', 'MEMBER') THEN
    EXECUTE format('GRANT mai_gateway_reader TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO mai_gateway_reader;

-- Makes one projection table readable by the gateway role, one org per transaction. A projection rebuild that
-- creates a new version of a table (…_vN, swapped in by ALTER TABLE … RENAME) calls this on the new table:
-- CREATE TABLE … (LIKE …) copies neither policies nor grants. Renames keep both, as they follow the table.
CREATE OR REPLACE FUNCTION mai_secure_projection_table(projection_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', projection_table);
  EXECUTE format('DROP POLICY IF EXISTS org_scope ON %s', projection_table);
  EXECUTE format(
    'CREATE POLICY org_scope ON %s FOR SELECT TO mai_gateway_reader USING (org_id = current_setting(''mai.org_id'', true))',
    projection_table);
  EXECUTE format('GRANT SELECT ON %s TO mai_gateway_reader', projection_table);
END
$$;

SELECT mai_secure_projection_table('client_model_daily_usage');
SELECT mai_secure_projection_table('org_monthly_users');
