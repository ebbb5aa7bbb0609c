using Grid.Casework.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Casework.Infrastructure;

/// <summary>SQL for cases, their numbers, reporters, breaches and summons. Every write runs inside a <see cref="CaseworkTransaction"/>.</summary>
public static class CaseRepository
{
    private const string Columns = """
        seq, id, number, domain, category, severity, title, description, source, grid_id, grid_path, holder_grid_id,
        longitude, latitude, state, occurred_at, received_at, updated_at, entered_by, assignee, department, step,
        step_deadline, reopen_count, breached, result, transfer_id, transfer_domain, transfer_case_id,
        transfer_case_number, origin_domain, origin_case_id, origin_transfer_id, version
        """;

    /// <summary>
    /// Reserves the next <paramref name="count"/> numbers of the day for a prefix and returns the last of them
    /// (see <see cref="CaseNumberBlocks"/>). Runs outside any report's transaction, so the counter row is locked
    /// for one statement. A number is never given twice; one reserved and not used leaves a gap, as a voided form
    /// does in a paper ledger.
    /// </summary>
    public static async Task<long> ReserveNumbersAsync(NpgsqlConnection conn, string prefix, DateOnly day, int count, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO casework.case_numbers (prefix, day, last) VALUES ($1, $2, $3)
            ON CONFLICT (prefix, day) DO UPDATE SET last = casework.case_numbers.last + EXCLUDED.last
            RETURNING last
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = prefix });
        cmd.Parameters.Add(new NpgsqlParameter { Value = day });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (long)count });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task<Case?> GetAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid id, bool forUpdate, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM casework.cases WHERE id = $1{(forUpdate ? " FOR UPDATE" : "")}", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public static Task<Case?> GetAsync(CaseworkTransaction tx, Guid id, bool forUpdate, CancellationToken ct) =>
        GetAsync(tx.Connection, tx.Transaction, id, forUpdate, ct);

    public static async Task<Case?> GetByTransferAsync(CaseworkTransaction tx, Guid transferId, bool origin, CancellationToken ct)
    {
        await using var cmd = tx.Command($"SELECT {Columns} FROM casework.cases WHERE {(origin ? "transfer_id" : "origin_transfer_id")} = $1 FOR UPDATE");
        cmd.Parameters.Add(new NpgsqlParameter { Value = transferId });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Cases in the caller's grid scope (or entered by <paramref name="enteredBy"/>), newest first, keyed by a cursor (the last seq seen).</summary>
    public static async Task<List<Case>> ListAsync(NpgsqlDataSource db, IReadOnlyList<string>? scopes, CaseState? state, string? gridId, long? before, int limit, string? enteredBy, CancellationToken ct)
    {
        var where = new List<string>();
        await using var cmd = db.CreateCommand();
        if (enteredBy is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = enteredBy });
            where.Add($"entered_by = ${cmd.Parameters.Count}");
        }

        if (scopes is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = scopes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            where.Add($"grid_path && ${cmd.Parameters.Count}");
        }

        if (state is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = CaseNames.Of(state.Value) });
            where.Add($"state = ${cmd.Parameters.Count}");
        }

        if (gridId is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = new[] { gridId } });
            where.Add($"grid_path && ${cmd.Parameters.Count}");
        }

        if (before is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = before.Value });
            where.Add($"seq < ${cmd.Parameters.Count}");
        }

        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        cmd.CommandText = $"SELECT {Columns} FROM casework.cases {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY seq DESC LIMIT ${cmd.Parameters.Count}";
        var list = new List<Case>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <summary>Open cases whose current step deadline has passed (the scheduler locks and skips busy ones).</summary>
    public static async Task<List<Case>> OverdueAsync(CaseworkTransaction tx, DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var cmd = tx.Command($"SELECT {Columns} FROM casework.cases WHERE step_deadline < $1 ORDER BY step_deadline LIMIT $2 FOR UPDATE SKIP LOCKED");
        cmd.Parameters.Add(new NpgsqlParameter { Value = now });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        var list = new List<Case>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <summary>The columns a new case is written with, in the order <see cref="Bind"/> and <see cref="InsertManyAsync"/> give them (version starts at 0).</summary>
    private const string InsertColumns = """
        id, number, domain, category, severity, title, description, source, grid_id, grid_path, holder_grid_id,
        longitude, latitude, state, occurred_at, received_at, updated_at, entered_by, assignee, department, step,
        step_deadline, reopen_count, breached, result, transfer_id, transfer_domain, transfer_case_id,
        transfer_case_number, origin_domain, origin_case_id, origin_transfer_id
        """;

    /// <summary>The unnest form of the insert: one array per column; grid paths joined by the unit separator.</summary>
    private static readonly string InsertManySql = $$"""
        INSERT INTO casework.cases ({{InsertColumns}}, version)
        SELECT {{InsertColumns.Replace("grid_path,", "string_to_array(grid_path, E'\\x1f'),", StringComparison.Ordinal)}}, 0
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
            $10::text[], $11::text[], $12::float8[], $13::float8[], $14::text[], $15::timestamptz[], $16::timestamptz[],
            $17::timestamptz[], $18::text[], $19::text[], $20::text[], $21::text[], $22::timestamptz[], $23::int[], $24::bool[],
            $25::text[], $26::uuid[], $27::text[], $28::uuid[], $29::text[], $30::text[], $31::uuid[], $32::uuid[])
            AS r({{InsertColumns}})
        RETURNING id, seq
        """;

    public static async Task InsertAsync(CaseworkTransaction tx, Case c, CancellationToken ct)
    {
        await using var cmd = tx.Command($"""
            INSERT INTO casework.cases ({InsertColumns}, version)
            VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,0)
            RETURNING seq
            """);
        Bind(cmd, c, includeIdentity: true);
        c.Seq = (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Several new cases in one statement (a batch of reports); each gets its seq. Grid paths travel joined by the unit
    /// separator, which no grid id contains, as unnest would flatten an array of arrays.
    /// </summary>
    public static async Task InsertManyAsync(CaseworkTransaction tx, IReadOnlyList<Case> cases, CancellationToken ct)
    {
        await using var cmd = tx.Command(InsertManySql);
        void Add<T>(Func<Case, T> column, NpgsqlDbType type) =>
            cmd.Parameters.Add(new NpgsqlParameter { Value = cases.Select(column).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type });
        Add(c => c.Id, NpgsqlDbType.Uuid);
        Add(c => c.Number, NpgsqlDbType.Text);
        Add(c => c.Domain, NpgsqlDbType.Text);
        Add(c => c.Category, NpgsqlDbType.Text);
        Add(c => c.Severity, NpgsqlDbType.Text);
        Add(c => c.Title, NpgsqlDbType.Text);
        Add(c => c.Description, NpgsqlDbType.Text);
        Add(c => c.Source, NpgsqlDbType.Text);
        Add(c => c.GridId, NpgsqlDbType.Text);
        Add(c => string.Join('\u001f', c.GridPath), NpgsqlDbType.Text);
        Add(c => c.HolderGridId, NpgsqlDbType.Text);
        Add(c => c.Longitude, NpgsqlDbType.Double);
        Add(c => c.Latitude, NpgsqlDbType.Double);
        Add(c => CaseNames.Of(c.State), NpgsqlDbType.Text);
        Add(c => c.OccurredAt, NpgsqlDbType.TimestampTz);
        Add(c => c.ReceivedAt, NpgsqlDbType.TimestampTz);
        Add(c => c.UpdatedAt, NpgsqlDbType.TimestampTz);
        Add(c => c.EnteredBy, NpgsqlDbType.Text);
        Add(c => c.Assignee, NpgsqlDbType.Text);
        Add(c => c.Department, NpgsqlDbType.Text);
        Add(c => c.Step, NpgsqlDbType.Text);
        Add(c => c.StepDeadline, NpgsqlDbType.TimestampTz);
        Add(c => c.ReopenCount, NpgsqlDbType.Integer);
        Add(c => c.Breached, NpgsqlDbType.Boolean);
        Add(c => c.Result, NpgsqlDbType.Text);
        Add(c => c.TransferId, NpgsqlDbType.Uuid);
        Add(c => c.TransferDomain, NpgsqlDbType.Text);
        Add(c => c.TransferCaseId, NpgsqlDbType.Uuid);
        Add(c => c.TransferCaseNumber, NpgsqlDbType.Text);
        Add(c => c.OriginDomain, NpgsqlDbType.Text);
        Add(c => c.OriginCaseId, NpgsqlDbType.Uuid);
        Add(c => c.OriginTransferId, NpgsqlDbType.Uuid);
        var byId = cases.ToDictionary(c => c.Id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            byId[reader.GetGuid(0)].Seq = reader.GetInt64(1);
        }
    }

    /// <summary>Writes every mutable field; the version guards against a lost update.</summary>
    public static async Task UpdateAsync(CaseworkTransaction tx, Case c, CancellationToken ct)
    {
        await using var cmd = tx.Command("""
            UPDATE casework.cases SET category=$4, severity=$5, title=$6, description=$7, source=$8, grid_id=$9, grid_path=$10,
                holder_grid_id=$11, longitude=$12, latitude=$13, state=$14, occurred_at=$15, received_at=$16, updated_at=$17,
                entered_by=$18, assignee=$19, department=$20, step=$21, step_deadline=$22, reopen_count=$23, breached=$24,
                result=$25, transfer_id=$26, transfer_domain=$27, transfer_case_id=$28, transfer_case_number=$29,
                origin_domain=$30, origin_case_id=$31, origin_transfer_id=$32, version = version + 1
            WHERE id = $1 AND number = $2 AND domain = $3 AND version = $33
            """);
        Bind(cmd, c, includeIdentity: true);
        cmd.Parameters.Add(new NpgsqlParameter { Value = c.Version });
        if (await cmd.ExecuteNonQueryAsync(ct) != 1)
        {
            throw new InvalidOperationException($"case {c.Id} changed concurrently");
        }

        c.Version++;
    }

    private static void Bind(NpgsqlCommand cmd, Case c, bool includeIdentity)
    {
        void Add(object? v, NpgsqlDbType? t = null)
        {
            var p = new NpgsqlParameter { Value = v ?? DBNull.Value };
            if (t is not null)
            {
                p.NpgsqlDbType = t.Value;
            }

            cmd.Parameters.Add(p);
        }

        if (includeIdentity)
        {
            Add(c.Id);
            Add(c.Number);
            Add(c.Domain);
        }

        Add(c.Category);
        Add(c.Severity);
        Add(c.Title);
        Add(c.Description);
        Add(c.Source);
        Add(c.GridId);
        Add(c.GridPath, NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(c.HolderGridId);
        Add(c.Longitude, NpgsqlDbType.Double);
        Add(c.Latitude, NpgsqlDbType.Double);
        Add(CaseNames.Of(c.State));
        Add(c.OccurredAt);
        Add(c.ReceivedAt);
        Add(c.UpdatedAt);
        Add(c.EnteredBy);
        Add(c.Assignee, NpgsqlDbType.Text);
        Add(c.Department, NpgsqlDbType.Text);
        Add(c.Step, NpgsqlDbType.Text);
        Add(c.StepDeadline, NpgsqlDbType.TimestampTz);
        Add(c.ReopenCount);
        Add(c.Breached);
        Add(c.Result, NpgsqlDbType.Text);
        Add(c.TransferId, NpgsqlDbType.Uuid);
        Add(c.TransferDomain, NpgsqlDbType.Text);
        Add(c.TransferCaseId, NpgsqlDbType.Uuid);
        Add(c.TransferCaseNumber, NpgsqlDbType.Text);
        Add(c.OriginDomain, NpgsqlDbType.Text);
        Add(c.OriginCaseId, NpgsqlDbType.Uuid);
        Add(c.OriginTransferId, NpgsqlDbType.Uuid);
    }

    private static Case Read(NpgsqlDataReader r)
    {
        T? N<T>(int i) => r.IsDBNull(i) ? default : r.GetFieldValue<T>(i);
        CaseNames.TryParseState(r.GetString(14), out var state);
        return new Case
        {
            Seq = r.GetInt64(0),
            Id = r.GetGuid(1),
            Number = r.GetString(2),
            Domain = r.GetString(3),
            Category = r.GetString(4),
            Severity = r.GetString(5),
            Title = r.GetString(6),
            Description = r.GetString(7),
            Source = r.GetString(8),
            GridId = r.GetString(9),
            GridPath = r.GetFieldValue<string[]>(10),
            HolderGridId = r.GetString(11),
            Longitude = r.IsDBNull(12) ? null : r.GetDouble(12),
            Latitude = r.IsDBNull(13) ? null : r.GetDouble(13),
            State = state,
            OccurredAt = r.GetFieldValue<DateTimeOffset>(15),
            ReceivedAt = r.GetFieldValue<DateTimeOffset>(16),
            UpdatedAt = r.GetFieldValue<DateTimeOffset>(17),
            EnteredBy = r.GetString(18),
            Assignee = N<string>(19),
            Department = N<string>(20),
            Step = N<string>(21),
            StepDeadline = r.IsDBNull(22) ? null : r.GetFieldValue<DateTimeOffset>(22),
            ReopenCount = r.GetInt32(23),
            Breached = r.GetBoolean(24),
            Result = N<string>(25),
            TransferId = r.IsDBNull(26) ? null : r.GetGuid(26),
            TransferDomain = N<string>(27),
            TransferCaseId = r.IsDBNull(28) ? null : r.GetGuid(28),
            TransferCaseNumber = N<string>(29),
            OriginDomain = N<string>(30),
            OriginCaseId = r.IsDBNull(31) ? null : r.GetGuid(31),
            OriginTransferId = r.IsDBNull(32) ? null : r.GetGuid(32),
            Version = r.GetInt32(33),
        };
    }

    /// <summary>Queues the sealed reporter of a new case; it is written with the commit.</summary>
    public static void SaveReporter(CaseworkTransaction tx, Guid caseId, SealedReporter s)
    {
        var cmd = new NpgsqlBatchCommand("INSERT INTO casework.reporters (case_id, nonce, ciphertext, tag) VALUES ($1, $2, $3, $4)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Nonce });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Ciphertext });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Tag });
        tx.Defer(cmd);
    }

    public static async Task<SealedReporter?> GetReporterAsync(CaseworkTransaction tx, Guid caseId, CancellationToken ct)
    {
        await using var cmd = tx.Command("SELECT nonce, ciphertext, tag FROM casework.reporters WHERE case_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new SealedReporter(r.GetFieldValue<byte[]>(0), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2)) : null;
    }

    /// <summary>True when this breach is new (the same step and deadline is recorded once).</summary>
    public static async Task<bool> RecordBreachAsync(CaseworkTransaction tx, Guid caseId, string step, DateTimeOffset deadline, string responsible, string responsibleGrid, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = tx.Command("""
            INSERT INTO casework.breaches (case_id, step, deadline, responsible, responsible_grid_id, detected_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = step });
        cmd.Parameters.Add(new NpgsqlParameter { Value = deadline });
        cmd.Parameters.Add(new NpgsqlParameter { Value = responsible });
        cmd.Parameters.Add(new NpgsqlParameter { Value = responsibleGrid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = now });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public static async Task<List<BreachRecord>> BreachesAsync(NpgsqlDataSource db, Guid caseId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT step, deadline, responsible, responsible_grid_id, detected_at FROM casework.breaches WHERE case_id = $1 ORDER BY id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        var list = new List<BreachRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new BreachRecord(r.GetString(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4)));
        }

        return list;
    }
}

/// <summary>超期记录: a missed deadline and whose it was.</summary>
public sealed record BreachRecord(string Step, DateTimeOffset Deadline, string Responsible, string ResponsibleGridId, DateTimeOffset DetectedAt);
