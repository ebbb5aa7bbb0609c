using Npgsql;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// The command centre's own database: read models fed by events and the grid boundaries it draws (the
/// inbox and outbox are Grid.Casework's, in schema casework of the same database). Created idempotently at start.
/// </summary>
public static class CommandSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS cc_cases (
            case_id uuid PRIMARY KEY,
            seq bigserial NOT NULL,
            domain text NOT NULL DEFAULT '',
            case_number text NOT NULL DEFAULT '',
            grid_id text NOT NULL DEFAULT '',
            grid_path text[] NOT NULL DEFAULT '{}',
            category text, severity text, title text, source text,
            longitude double precision, latitude double precision,
            state text NOT NULL,
            state_at timestamptz NOT NULL,
            reported_at timestamptz, accepted_at timestamptz, rejected_at timestamptz, dispatched_at timestamptz,
            handle_by timestamptz, department text,
            first_handled_at timestamptz, verified_at timestamptz, closed_at timestamptz, on_time boolean,
            reopen_count int NOT NULL DEFAULT 0, last_reopened_at timestamptz,
            breach_count int NOT NULL DEFAULT 0, first_breached_at timestamptz, breach_step text, breach_responsible text,
            escalated_at timestamptz, escalation_reason text, escalated_to text,
            listed_at timestamptz, transferred_at timestamptz,
            last_event_at timestamptz NOT NULL,
            projected_at timestamptz NOT NULL DEFAULT clock_timestamp());
        CREATE UNIQUE INDEX IF NOT EXISTS ix_cc_cases_seq ON cc_cases (seq);
        CREATE INDEX IF NOT EXISTS ix_cc_cases_path ON cc_cases USING gin (grid_path) WITH (fastupdate = off);
        CREATE INDEX IF NOT EXISTS ix_cc_cases_open ON cc_cases (state) WHERE state NOT IN ('closed', 'rejected');

        CREATE TABLE IF NOT EXISTS cc_transfers (
            transfer_id uuid PRIMARY KEY,
            origin_case_id uuid, origin_domain text, target_domain text, target_case_id uuid,
            grid_id text, grid_path text[] NOT NULL DEFAULT '{}', title text,
            requested_at timestamptz, result_due_by timestamptz, accepted_at timestamptz,
            result_at timestamptz, outcome text);

        CREATE TABLE IF NOT EXISTS cc_summons (
            summons_id uuid PRIMARY KEY,
            case_id uuid, domain text NOT NULL DEFAULT '',
            grid_id text NOT NULL DEFAULT '', grid_path text[] NOT NULL DEFAULT '{}',
            department_id text NOT NULL,
            summoned_by text, reason text, summoned_at timestamptz,
            report_by timestamptz NOT NULL, reported_at timestamptz);

        CREATE TABLE IF NOT EXISTS cc_grids (
            grid_id text PRIMARY KEY,
            parent_id text,
            name text NOT NULL,
            level int NOT NULL DEFAULT 0,
            path text[] NOT NULL DEFAULT '{}',
            geometry jsonb NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_cc_grids_parent ON cc_grids (parent_id);
        -- The organization's hierarchy (fire, environment ... comprehensive) a grid belongs to; null for boundaries stored through the API.
        ALTER TABLE cc_grids ADD COLUMN IF NOT EXISTS hierarchy text;

        -- 留痕封存: each domain's audit chain heads as sealed (AuditChainSealed), kept outside the domain's database.
        CREATE TABLE IF NOT EXISTS cc_audit_seals (
            event_id uuid PRIMARY KEY,
            domain text NOT NULL,
            head_seq bigint NOT NULL,
            head_hash text NOT NULL,
            seal_mac text NOT NULL,
            sealed_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS ix_cc_audit_seals_domain ON cc_audit_seals (domain, sealed_at DESC);
        -- Per domain: the highest head ever sealed (a later seal cannot lower it), how many seals, and whether one named a
        -- lower head than an earlier one did (the chain shrank: entries cut).
        CREATE TABLE IF NOT EXISTS cc_audit_seal_heads (
            domain text PRIMARY KEY,
            event_id uuid NOT NULL,
            seals bigint NOT NULL,
            last_sealed_at timestamptz NOT NULL,
            shrank_at timestamptz);
        -- Autovacuum of the tables every event writes, in slower steps (PostgreSQL's default is 2 ms): on a busy
        -- machine a default-paced pass took most of a core for a second or two and made every read model late at once.
        ALTER TABLE cc_cases SET (autovacuum_vacuum_cost_delay = 10);
        -- No pending list in the scope index either: autovacuum merging it stalled the projection (an episode of late
        -- read models each time cc_cases was vacuumed); each insert now updates the index itself.
        ALTER INDEX ix_cc_cases_path SET (fastupdate = off);
        """;

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT pg_advisory_lock(7161); " + Sql + " SELECT pg_advisory_unlock(7161);");
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
