using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// The service's own tables, in schema <c>environment</c>, created idempotently at start. Readings are keyed by
/// (station, pollutant, time) so a resent reading is a no-op.
/// </summary>
internal static class EnvironmentSchema
{
    public const string Sql = """
        CREATE SCHEMA IF NOT EXISTS environment;

        CREATE TABLE IF NOT EXISTS environment.sources (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            credit_code text,
            class text NOT NULL,
            industry text,
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            address text,
            longitude double precision,
            latitude double precision,
            permits jsonb NOT NULL DEFAULT '[]',
            responsible jsonb NOT NULL DEFAULT '[]',
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS sources_grid ON environment.sources USING gin (grid_path);

        CREATE TABLE IF NOT EXISTS environment.discharge_points (
            id uuid PRIMARY KEY,
            source_id uuid NOT NULL REFERENCES environment.sources(id),
            code text NOT NULL,
            name text NOT NULL,
            medium text NOT NULL);

        CREATE TABLE IF NOT EXISTS environment.limit_rules (
            id uuid PRIMARY KEY,
            discharge_point_id uuid NOT NULL REFERENCES environment.discharge_points(id),
            pollutant text NOT NULL,
            kind text NOT NULL,
            limit_value double precision NOT NULL,
            window_minutes int,
            consecutive_count int);
        CREATE INDEX IF NOT EXISTS limit_rules_point ON environment.limit_rules (discharge_point_id);
        -- Raised by every change to a point's rules, so that ingestion can hold the rules and know when they changed.
        ALTER TABLE environment.discharge_points ADD COLUMN IF NOT EXISTS rules_version bigint NOT NULL DEFAULT 0;
        CREATE OR REPLACE FUNCTION environment.limit_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                UPDATE environment.discharge_points SET rules_version = rules_version + 1;
                RETURN NULL;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                UPDATE environment.discharge_points SET rules_version = rules_version + 1 WHERE id = OLD.discharge_point_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                UPDATE environment.discharge_points SET rules_version = rules_version + 1 WHERE id = NEW.discharge_point_id;
            END IF;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER limit_rules_version AFTER INSERT OR UPDATE OR DELETE ON environment.limit_rules
            FOR EACH ROW EXECUTE FUNCTION environment.limit_rules_changed();
        CREATE OR REPLACE TRIGGER limit_rules_version_truncate AFTER TRUNCATE ON environment.limit_rules
            FOR EACH STATEMENT EXECUTE FUNCTION environment.limit_rules_changed();

        CREATE TABLE IF NOT EXISTS environment.stations (
            id text PRIMARY KEY,
            name text NOT NULL,
            source_id uuid NOT NULL REFERENCES environment.sources(id),
            discharge_point_id uuid NOT NULL REFERENCES environment.discharge_points(id),
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            pollutants text[] NOT NULL,
            silent_after_minutes int,
            last_reading_at timestamptz,
            created_at timestamptz NOT NULL);
        -- Raised by every stored batch, so a replica knows whether what it holds of a station's series is current.
        ALTER TABLE environment.stations ADD COLUMN IF NOT EXISTS ingest_generation bigint NOT NULL DEFAULT 0;

        CREATE TABLE IF NOT EXISTS environment.readings (
            station_id text NOT NULL,
            pollutant text NOT NULL,
            time timestamptz NOT NULL,
            value double precision NOT NULL,
            unit text NOT NULL,
            received_at timestamptz NOT NULL,
            PRIMARY KEY (station_id, pollutant, time));

        CREATE TABLE IF NOT EXISTS environment.exceedance_episodes (
            id uuid PRIMARY KEY,
            station_id text NOT NULL,
            pollutant text NOT NULL,
            rule_id uuid NOT NULL,
            started_at timestamptz NOT NULL,
            last_breach_at timestamptz NOT NULL,
            ended_at timestamptz,
            peak_value double precision NOT NULL,
            case_id uuid,
            detected_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS episodes_series ON environment.exceedance_episodes (station_id, pollutant, rule_id, started_at);

        CREATE TABLE IF NOT EXISTS environment.silences (
            id uuid PRIMARY KEY,
            station_id text NOT NULL,
            silent_since timestamptz NOT NULL,
            detected_at timestamptz NOT NULL,
            ended_at timestamptz,
            case_id uuid);
        CREATE UNIQUE INDEX IF NOT EXISTS silences_one_open ON environment.silences (station_id) WHERE ended_at IS NULL;

        CREATE TABLE IF NOT EXISTS environment.water_zones (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            level text NOT NULL,
            water_body text,
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            boundary jsonb,
            created_at timestamptz NOT NULL);

        CREATE TABLE IF NOT EXISTS environment.projects (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            source_id uuid REFERENCES environment.sources(id),
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            stage text NOT NULL,
            stages jsonb NOT NULL DEFAULT '[]',
            acceptance jsonb,
            created_at timestamptz NOT NULL);

        CREATE TABLE IF NOT EXISTS environment.patrols (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            person text NOT NULL,
            source_id uuid REFERENCES environment.sources(id),
            at timestamptz NOT NULL,
            findings text,
            problem_found boolean NOT NULL,
            category text,
            severity text,
            transfer_to text,
            transferred_at timestamptz,
            case_id uuid,
            case_opened_at timestamptz,
            recorded_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS patrols_at ON environment.patrols (at);

        CREATE TABLE IF NOT EXISTS environment.task_slips (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            source_id uuid REFERENCES environment.sources(id),
            title text NOT NULL,
            description text,
            issued_by text NOT NULL,
            issued_at timestamptz NOT NULL,
            due_at timestamptz NOT NULL,
            status text NOT NULL,
            steps jsonb NOT NULL DEFAULT '[]',
            case_id uuid);

        CREATE TABLE IF NOT EXISTS environment.incidents (
            id uuid PRIMARY KEY,
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            source_id uuid REFERENCES environment.sources(id),
            title text NOT NULL,
            description text,
            severity text NOT NULL,
            occurred_at timestamptz NOT NULL,
            reported_by text NOT NULL,
            recorded_at timestamptz NOT NULL,
            case_id uuid);

        CREATE TABLE IF NOT EXISTS environment.source_cases (
            case_id uuid PRIMARY KEY,
            source_id uuid NOT NULL REFERENCES environment.sources(id),
            origin text NOT NULL,
            kind text NOT NULL,
            opened_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS source_cases_source ON environment.source_cases (source_id, opened_at);
        -- Lists page by keyset in their sort order and filter by the caller's grid scope in the query.
        CREATE INDEX IF NOT EXISTS sources_page ON environment.sources (name, id);
        CREATE INDEX IF NOT EXISTS water_zones_page ON environment.water_zones (name, id);
        CREATE INDEX IF NOT EXISTS patrols_page ON environment.patrols (at, id);
        CREATE INDEX IF NOT EXISTS task_slips_page ON environment.task_slips (issued_at, id);
        CREATE INDEX IF NOT EXISTS stations_grid ON environment.stations USING gin (grid_path);
        CREATE INDEX IF NOT EXISTS water_zones_grid ON environment.water_zones USING gin (grid_path);
        CREATE INDEX IF NOT EXISTS projects_grid ON environment.projects USING gin (grid_path);
        CREATE INDEX IF NOT EXISTS patrols_grid ON environment.patrols USING gin (grid_path);
        CREATE INDEX IF NOT EXISTS task_slips_grid ON environment.task_slips USING gin (grid_path);
        """;

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Several hosts may start at once against one database (tests, replicas): one creates, the others wait.
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(4711001)", conn, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        await using (var cmd = new NpgsqlCommand(Sql, conn, tx))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }
}
