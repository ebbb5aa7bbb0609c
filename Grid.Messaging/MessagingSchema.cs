using Npgsql;

namespace Grid.Messaging;

/// <summary>
/// The outbox and inbox tables, in schema <c>casework</c> of the service's own database (the name they were first
/// created under; every publishing service has them). Created idempotently at start; additive changes only.
/// </summary>
public static class MessagingSchema
{
    public const string Sql = """
        CREATE SCHEMA IF NOT EXISTS casework;
        CREATE TABLE IF NOT EXISTS casework.outbox (
            seq bigserial PRIMARY KEY,
            event_id uuid NOT NULL UNIQUE,
            event_type text NOT NULL,
            case_id uuid,
            payload text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            state smallint NOT NULL DEFAULT 0,
            attempts int NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz,
            last_error text);
        CREATE INDEX IF NOT EXISTS outbox_pending ON casework.outbox (seq) WHERE state = 0;
        -- The W3C trace context of the request that wrote the row, which the relay continues; added to older outboxes.
        ALTER TABLE casework.outbox ADD COLUMN IF NOT EXISTS traceparent text, ADD COLUMN IF NOT EXISTS tracestate text;
        CREATE TABLE IF NOT EXISTS casework.inbox (
            event_id uuid NOT NULL,
            consumer text NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (event_id, consumer));
        -- Autovacuum of the tables every change writes, in slower steps (PostgreSQL's default is 2 ms): on a busy
        -- machine a default-paced pass took most of a core for a second or two, and every case's events waited.
        ALTER TABLE casework.outbox SET (autovacuum_vacuum_cost_delay = 10);
        ALTER TABLE casework.inbox SET (autovacuum_vacuum_cost_delay = 10);
        """;

    /// <summary>Creates the tables if they are missing.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        // Several replicas may start at once: one creates, the others wait and find it done.
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('casework.schema'))", conn, tx))
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
