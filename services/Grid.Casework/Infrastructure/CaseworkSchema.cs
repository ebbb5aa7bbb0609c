using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// The tables of the case life cycle, outbox and inbox, in schema <c>casework</c> of the service's own
/// database (the audit trail's are <see cref="CaseworkAuditSchema"/>'s). Created (idempotently) at start; additive changes only.
/// </summary>
public static class CaseworkSchema
{
    public const string MessagingSql = Grid.Messaging.MessagingSchema.Sql;

    public const string CasesSql = """
        CREATE TABLE IF NOT EXISTS casework.cases (
            seq bigserial UNIQUE,
            id uuid PRIMARY KEY,
            number text NOT NULL UNIQUE,
            domain text NOT NULL,
            category text NOT NULL,
            severity text NOT NULL,
            title text NOT NULL,
            description text NOT NULL,
            source text NOT NULL,
            grid_id text NOT NULL,
            grid_path text[] NOT NULL,
            holder_grid_id text NOT NULL,
            longitude double precision,
            latitude double precision,
            state text NOT NULL,
            occurred_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            entered_by text NOT NULL,
            assignee text,
            department text,
            step text,
            step_deadline timestamptz,
            reopen_count int NOT NULL DEFAULT 0,
            breached boolean NOT NULL DEFAULT false,
            result text,
            transfer_id uuid,
            transfer_domain text,
            transfer_case_id uuid,
            transfer_case_number text,
            origin_domain text,
            origin_case_id uuid,
            origin_transfer_id uuid,
            version int NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS cases_deadline ON casework.cases (step_deadline) WHERE step_deadline IS NOT NULL;
        CREATE INDEX IF NOT EXISTS cases_grid_path ON casework.cases USING gin (grid_path);
        CREATE INDEX IF NOT EXISTS cases_entered_by ON casework.cases (entered_by, seq);
        CREATE UNIQUE INDEX IF NOT EXISTS cases_origin_transfer ON casework.cases (origin_transfer_id) WHERE origin_transfer_id IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS cases_transfer ON casework.cases (transfer_id) WHERE transfer_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS casework.case_numbers (
            prefix text NOT NULL,
            day date NOT NULL,
            last bigint NOT NULL,
            PRIMARY KEY (prefix, day));
        CREATE TABLE IF NOT EXISTS casework.reporters (
            case_id uuid PRIMARY KEY REFERENCES casework.cases (id),
            nonce bytea NOT NULL,
            ciphertext bytea NOT NULL,
            tag bytea NOT NULL);
        CREATE TABLE IF NOT EXISTS casework.idempotency_keys (
            subject text NOT NULL,
            key text NOT NULL,
            case_id uuid NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (subject, key));
        -- SHA-256 of the report the key first came with: the same key with another body is refused (422), not answered with the old case.
        ALTER TABLE casework.idempotency_keys ADD COLUMN IF NOT EXISTS request_hash bytea;
        CREATE TABLE IF NOT EXISTS casework.breaches (
            id bigserial PRIMARY KEY,
            case_id uuid NOT NULL REFERENCES casework.cases (id),
            step text NOT NULL,
            deadline timestamptz NOT NULL,
            responsible text NOT NULL,
            responsible_grid_id text NOT NULL,
            detected_at timestamptz NOT NULL,
            UNIQUE (case_id, step, deadline));
        CREATE TABLE IF NOT EXISTS casework.summons (
            id uuid PRIMARY KEY,
            case_id uuid NOT NULL REFERENCES casework.cases (id),
            department_id text NOT NULL,
            summoned_by text NOT NULL,
            reason text NOT NULL,
            summoned_at timestamptz NOT NULL,
            report_by timestamptz NOT NULL,
            reported_at timestamptz,
            late boolean,
            breached boolean NOT NULL DEFAULT false);
        CREATE INDEX IF NOT EXISTS summons_open ON casework.summons (report_by) WHERE reported_at IS NULL AND NOT breached;
        ALTER TABLE casework.cases SET (autovacuum_vacuum_cost_delay = 10);
        ALTER TABLE casework.case_numbers SET (vacuum_truncate = false);
        """;

    public static async Task EnsureAsync(NpgsqlDataSource db, bool cases, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        // Several replicas may start at once: one creates, the others wait and find it done.
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('casework.schema'))", conn, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        await using (var cmd = new NpgsqlCommand(cases ? MessagingSql + CasesSql : MessagingSql, conn, tx))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }
}
