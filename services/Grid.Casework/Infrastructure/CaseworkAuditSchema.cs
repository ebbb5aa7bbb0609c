using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 留痕的表: the audit trail's tables, in a schema of their own (<c>casework_audit</c>), so that they can belong to a role
/// other than the one the service connects as: a table's owner, and its schema's owner, may alter or drop it whatever
/// the grants say. Provisioned that way (<see cref="ProvisionAsync"/>), the service's role may only read and append.
/// Entries are written to <c>queue</c> with a MAC each and linked into <c>entries</c> (the chain) by the chainer; a
/// queued row leaves the queue only through <c>casework_audit.unqueue</c>, and only once it is in the chain.
/// A trigger also refuses UPDATE, DELETE and TRUNCATE: it holds where the service's role owns the tables (a local suite
/// connecting as superuser), until that role drops it.
/// </summary>
public static class CaseworkAuditSchema
{
    /// <summary>The role that owns the audit tables when provisioned (no login).</summary>
    public const string OwnerRole = "casework_audit";

    /// <summary>The tables, trigger and function, in schema casework_audit (created first by whoever runs this).</summary>
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS casework_audit.entries (
            seq bigint PRIMARY KEY,
            entry_id uuid NOT NULL,
            queue_id bigint NOT NULL,
            case_id uuid,
            actor text NOT NULL,
            action text NOT NULL,
            origin text NOT NULL,
            at timestamptz NOT NULL,
            before text,
            after text,
            prev_hash text NOT NULL,
            hash text NOT NULL);
        CREATE INDEX IF NOT EXISTS entries_case ON casework_audit.entries (case_id, seq);
        -- Entries are chained in about the order of their time: a block range index finds a day for almost nothing.
        CREATE INDEX IF NOT EXISTS entries_at ON casework_audit.entries USING brin (at);
        CREATE TABLE IF NOT EXISTS casework_audit.queue (
            id bigserial PRIMARY KEY,
            entry_id uuid NOT NULL,
            case_id uuid,
            actor text NOT NULL,
            action text NOT NULL,
            origin text NOT NULL,
            at timestamptz NOT NULL,
            before text,
            after text,
            mac text NOT NULL);
        -- Autovacuum in slower steps, and never truncating the queue (its exclusive lock held up every writer).
        ALTER TABLE casework_audit.entries SET (autovacuum_vacuum_cost_delay = 10);
        ALTER TABLE casework_audit.queue SET (autovacuum_vacuum_cost_delay = 10, vacuum_truncate = false);

        CREATE OR REPLACE FUNCTION casework_audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit entries are append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON casework_audit.entries
            FOR EACH STATEMENT EXECUTE FUNCTION casework_audit.refuse_change();
        CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR TRUNCATE ON casework_audit.queue
            FOR EACH STATEMENT EXECUTE FUNCTION casework_audit.refuse_change();

        -- The one way out of the queue: rows whose entry is in the chain (same entry id, within the given places).
        CREATE OR REPLACE FUNCTION casework_audit.unqueue(first_seq bigint, last_seq bigint) RETURNS bigint
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
            WITH gone AS (
                DELETE FROM casework_audit.queue q USING casework_audit.entries e
                WHERE e.seq BETWEEN first_seq AND last_seq AND q.id = e.queue_id AND q.entry_id = e.entry_id
                RETURNING 1)
            SELECT count(*) FROM gone
        $$;
        REVOKE ALL ON FUNCTION casework_audit.unqueue(bigint, bigint) FROM PUBLIC;
        """;

    /// <summary>
    /// Creates the tables as the connecting role when nobody provisioned them. Returns that role's name when it may alter
    /// the audit rows (owner or superuser: only the trigger stands in the way), null when privileges refuse it.
    /// </summary>
    public static async Task<string?> EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('casework_audit.schema'))", conn, tx))
            {
                await lockCmd.ExecuteNonQueryAsync(ct);
            }

            await using var exists = new NpgsqlCommand("SELECT to_regclass('casework_audit.entries') IS NOT NULL AND to_regclass('casework_audit.queue') IS NOT NULL", conn, tx);
            if (await exists.ExecuteScalarAsync(ct) is not true)
            {
                await using var create = new NpgsqlCommand("CREATE SCHEMA IF NOT EXISTS casework_audit;" + Sql, conn, tx);
                await create.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
        }

        await using var check = new NpgsqlCommand("""
            SELECT current_user, has_table_privilege('casework_audit.entries', 'UPDATE') OR has_table_privilege('casework_audit.entries', 'DELETE')
                OR pg_has_role((SELECT relowner FROM pg_class WHERE oid = 'casework_audit.entries'::regclass), 'MEMBER')
            """, conn);
        await using var r = await check.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return r.GetBoolean(1) ? r.GetString(0) : null;
    }

    /// <summary>
    /// Run by a database administrator (a superuser) for each service database, before the service starts, as often as
    /// wanted: the audit tables owned by <see cref="OwnerRole"/>, and <paramref name="serviceRole"/> (the role the
    /// service connects as) allowed to read them, append to them and hand linked entries out of the queue — nothing
    /// else. Tables that a superuser made before (a service connecting as one) are taken over, rows kept; tables that a
    /// service's own role made are refused: that role could have left rules or triggers on them that would run as the owner.
    /// </summary>
    public static async Task ProvisionAsync(NpgsqlConnection admin, string serviceRole, CancellationToken ct = default)
    {
        var role = Quote(serviceRole);
        await using var tx = await admin.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OwnerRole}') THEN CREATE ROLE {OwnerRole} NOLOGIN; END IF;
            END $$;
            CREATE SCHEMA IF NOT EXISTS casework_audit AUTHORIZATION {OwnerRole};
            DO $$
            DECLARE o record;
            BEGIN
                FOR o IN
                    SELECT 'SCHEMA' AS kind, 'casework_audit' AS name, nspowner AS owner FROM pg_namespace WHERE nspname = 'casework_audit'
                    UNION ALL
                    SELECT 'TABLE', c.oid::regclass::text, c.relowner FROM pg_class c
                    WHERE c.relnamespace = 'casework_audit'::regnamespace AND c.relkind IN ('r', 'p')
                    UNION ALL
                    SELECT 'FUNCTION', p.oid::regprocedure::text, p.proowner FROM pg_proc p WHERE p.pronamespace = 'casework_audit'::regnamespace
                LOOP
                    CONTINUE WHEN o.owner = '{OwnerRole}'::regrole;
                    IF NOT (SELECT rolsuper FROM pg_roles WHERE oid = o.owner) THEN
                        RAISE EXCEPTION '% belongs to role %, which may have left rules, triggers or grants in it: check it, then give it to {OwnerRole}', o.name, o.owner::regrole;
                    END IF;
                    EXECUTE format('ALTER %s %s OWNER TO {OwnerRole}', o.kind, o.name);
                END LOOP;
            END $$;
            SET LOCAL ROLE {OwnerRole};
            {Sql}
            RESET ROLE;
            REVOKE ALL ON SCHEMA casework_audit FROM PUBLIC;
            REVOKE ALL ON casework_audit.entries, casework_audit.queue FROM PUBLIC;
            GRANT USAGE ON SCHEMA casework_audit TO {role};
            GRANT SELECT, INSERT ON casework_audit.entries, casework_audit.queue TO {role};
            GRANT USAGE ON SEQUENCE casework_audit.queue_id_seq TO {role};
            GRANT EXECUTE ON FUNCTION casework_audit.unqueue(bigint, bigint) TO {role};
            """, admin, tx);
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
