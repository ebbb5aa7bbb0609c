using Dapper;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// The service's tables, created idempotently at start-up (CREATE ... IF NOT EXISTS under an advisory lock,
/// so several instances starting together do not race).
/// </summary>
public static class OrganizationSchema
{
    private const long LockId = 0x6F72_6773_6368;

    public const string Sql = """
        CREATE EXTENSION IF NOT EXISTS postgis;

        CREATE TABLE IF NOT EXISTS grids (
            id uuid PRIMARY KEY,
            code text NOT NULL UNIQUE,
            name text NOT NULL,
            level_name text NOT NULL,
            depth int NOT NULL,
            parent_id uuid NULL REFERENCES grids(id),
            hierarchy text NOT NULL,
            path uuid[] NOT NULL,
            boundary geometry(Geometry, 4326) NOT NULL,
            households int NOT NULL DEFAULT 0,
            population int NOT NULL DEFAULT 0,
            key_grid boolean NOT NULL DEFAULT false,
            hotline text NULL,
            notice text NULL,
            updated_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS grids_boundary_gist ON grids USING gist (boundary);
        CREATE INDEX IF NOT EXISTS grids_parent ON grids (parent_id);
        CREATE INDEX IF NOT EXISTS grids_path ON grids USING gin (path);
        CREATE INDEX IF NOT EXISTS grids_hierarchy_depth ON grids (hierarchy, depth);

        CREATE TABLE IF NOT EXISTS departments (
            id uuid PRIMARY KEY,
            code text NOT NULL UNIQUE,
            name text NOT NULL,
            kind text NOT NULL,
            domain text NOT NULL,
            grid_id uuid NULL REFERENCES grids(id));

        CREATE TABLE IF NOT EXISTS staff (
            id uuid PRIMARY KEY,
            staff_no text NULL UNIQUE,
            name text NOT NULL,
            phone text NOT NULL,
            department_id uuid NULL REFERENCES departments(id),
            username text NULL UNIQUE,
            password_hash text NULL,
            system_roles text[] NOT NULL DEFAULT '{}',
            scope_grids uuid[] NOT NULL DEFAULT '{}',
            created_at timestamptz NOT NULL DEFAULT now());

        CREATE TABLE IF NOT EXISTS assignments (
            id uuid PRIMARY KEY,
            staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
            grid_id uuid NOT NULL REFERENCES grids(id) ON DELETE CASCADE,
            role text NOT NULL,
            domain text NOT NULL,
            valid_from timestamptz NOT NULL,
            valid_to timestamptz NULL);
        CREATE INDEX IF NOT EXISTS assignments_grid ON assignments (grid_id, domain, role);
        CREATE INDEX IF NOT EXISTS assignments_staff ON assignments (staff_id);

        CREATE TABLE IF NOT EXISTS subjects (
            id uuid PRIMARY KEY,
            credit_code text NULL UNIQUE,
            name text NOT NULL,
            kind text NOT NULL,
            category text NOT NULL,
            domain text NOT NULL,
            address text NOT NULL DEFAULT '',
            location geometry(Point, 4326) NULL,
            grid_id uuid NULL REFERENCES grids(id));
        CREATE INDEX IF NOT EXISTS subjects_grid ON subjects (grid_id);

        CREATE TABLE IF NOT EXISTS signing_keys (
            kid text PRIMARY KEY,
            pem text,
            created_at timestamptz NOT NULL DEFAULT now());
        -- Private keys sealed with the key-encryption key (AES-GCM); pem stays only until a start seals it.
        ALTER TABLE signing_keys ALTER COLUMN pem DROP NOT NULL;
        ALTER TABLE signing_keys ADD COLUMN IF NOT EXISTS sealed_key bytea;
        ALTER TABLE signing_keys ADD COLUMN IF NOT EXISTS activates_at timestamptz;

        -- Refresh tokens of interactive log-ins, by the SHA-256 of the token (never the token itself).
        CREATE TABLE IF NOT EXISTS refresh_tokens (
            token_hash bytea PRIMARY KEY,
            family_id uuid NOT NULL,
            staff_id uuid NOT NULL,
            issued_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at timestamptz,
            revoked_at timestamptz);
        CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);

        -- Events go out through casework.outbox and its relay, like every other service's. A database from before
        -- keeps its unpublished events: they move there, then the old table goes.
        DO $$
        BEGIN
            IF to_regclass('public.outbox') IS NOT NULL THEN
                INSERT INTO casework.outbox (event_id, event_type, payload)
                SELECT event_id, event_type, payload::text FROM public.outbox WHERE published_at IS NULL ORDER BY id
                ON CONFLICT (event_id) DO NOTHING;
                DROP TABLE public.outbox;
            END IF;
        END $$;

        -- A change counter per hierarchy, raised in the transaction of every statement that writes grids (the
        -- service's own writes, imports, seeding, anything done by hand): the in-memory point index reloads a
        -- hierarchy whose counter moved. The counter's row lock orders the writers of one hierarchy.
        CREATE TABLE IF NOT EXISTS grid_versions (
            hierarchy text PRIMARY KEY,
            version bigint NOT NULL);
        CREATE OR REPLACE FUNCTION grid_versions_raise() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                UPDATE grid_versions SET version = version + 1;
            ELSIF TG_OP = 'INSERT' THEN
                INSERT INTO grid_versions AS v (hierarchy, version)
                SELECT DISTINCT hierarchy, 1 FROM new_rows ORDER BY 1
                ON CONFLICT (hierarchy) DO UPDATE SET version = v.version + 1;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO grid_versions AS v (hierarchy, version)
                SELECT DISTINCT hierarchy, 1 FROM old_rows ORDER BY 1
                ON CONFLICT (hierarchy) DO UPDATE SET version = v.version + 1;
            ELSE
                INSERT INTO grid_versions AS v (hierarchy, version)
                SELECT hierarchy, 1 FROM (SELECT hierarchy FROM new_rows UNION SELECT hierarchy FROM old_rows) c ORDER BY 1
                ON CONFLICT (hierarchy) DO UPDATE SET version = v.version + 1;
            END IF;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER grids_version_insert AFTER INSERT ON grids
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_versions_raise();
        CREATE OR REPLACE TRIGGER grids_version_update AFTER UPDATE ON grids
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_versions_raise();
        CREATE OR REPLACE TRIGGER grids_version_delete AFTER DELETE ON grids
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_versions_raise();
        CREATE OR REPLACE TRIGGER grids_version_truncate AFTER TRUNCATE ON grids
            FOR EACH STATEMENT EXECUTE FUNCTION grid_versions_raise();

        CREATE TABLE IF NOT EXISTS import_jobs (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            status text NOT NULL,
            total int NOT NULL DEFAULT 0,
            processed int NOT NULL DEFAULT 0,
            written int NOT NULL DEFAULT 0,
            errors jsonb NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz NULL);
        """;

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@LockId)", new { LockId }, tx);
        await conn.ExecuteAsync(Sql, transaction: tx);
        await tx.CommitAsync(ct);
    }
}
