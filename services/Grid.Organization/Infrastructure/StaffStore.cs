using Dapper;
using Grid.Messaging;
using Grid.Organization.Domain;
using Grid.Organization.Identity;
using Npgsql;

namespace Grid.Organization.Infrastructure;

public sealed record AssignmentInput(Guid? GridId, string? GridCode, string? Role, string? Domain, DateTime? ValidFrom, DateTime? ValidTo);

public sealed record StaffInput(
    string? StaffNo, string? Name, string? Phone, Guid? DepartmentId, string? Username, string? Password,
    string[]? SystemRoles, Guid[]? ScopeGrids, AssignmentInput[]? Assignments);

public sealed record DepartmentInput(string? Code, string? Name, string? Kind, string? Domain, Guid? GridId);

/// <summary>A caller's grid scope in SQL terms: everything, or the subtrees of these grid ids.</summary>
public sealed record GridScope(bool All, Guid[] Roots)
{
    /// <summary>From grid ids (null: the whole territory).</summary>
    public static GridScope Of(IEnumerable<string>? grids) =>
        grids is null ? new(true, []) : new(false, grids.Select(c => Guid.TryParse(c, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToArray());
}

/// <summary>Staff, their accounts and time-bound assignments, and departments.</summary>
public sealed class StaffStore(NpgsqlDataSource db, OrganizationCache cache, TimeProvider clock)
{
    private const string StaffColumns = "s.id, s.staff_no, s.name, s.phone, s.department_id, s.username, s.system_roles, s.scope_grids";

    /// <summary>A staff member is visible when one of their posts or administered grids lies in the caller's scope.</summary>
    private const string VisibleToScope = """
        (@all OR EXISTS (SELECT 1 FROM grids g WHERE (g.id IN (SELECT grid_id FROM assignments WHERE staff_id = s.id) OR g.id = ANY(s.scope_grids)) AND g.path && @roots))
        """;

    public async Task<StaffMember?> GetAsync(Guid id, GridScope scope)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<StaffMember>(
            $"SELECT {StaffColumns} FROM staff s WHERE s.id = @id AND {VisibleToScope}", new { id, all = scope.All, roots = scope.Roots });
    }

    /// <summary>Staff posted within the subtree of a grid (or anywhere in scope), ordered by id for cursor paging.</summary>
    public async Task<IReadOnlyList<StaffMember>> ListAsync(Guid? under, GridScope scope, Guid? after, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        var rows = await conn.QueryAsync<StaffMember>(
            $"""
            SELECT {StaffColumns} FROM staff s
            WHERE {VisibleToScope} AND (@after::uuid IS NULL OR s.id > @after)
              AND (@under::uuid IS NULL OR EXISTS (SELECT 1 FROM assignments a JOIN grids g ON g.id = a.grid_id WHERE a.staff_id = s.id AND g.path @> ARRAY[@under]::uuid[]))
            ORDER BY s.id LIMIT @limit
            """, new { all = scope.All, roots = scope.Roots, after, under, limit });
        return rows.AsList();
    }

    public async Task<IReadOnlyList<Assignment>> AssignmentsAsync(Guid staffId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<Assignment>(
            "SELECT id, staff_id, grid_id, role, domain, valid_from, valid_to FROM assignments WHERE staff_id = @staffId ORDER BY valid_from, id",
            new { staffId })).AsList();
    }

    public async Task<StaffMember> CreateAsync(StaffInput input, Func<IReadOnlyList<string>, bool> canSee, bool seesEverything)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var id = Guid.CreateVersion7();
        var posts = await ResolvePostsAsync(conn, tx, input.Assignments ?? [], canSee, "assignments");
        await CheckScopeGridsAsync(conn, tx, input.ScopeGrids ?? [], canSee);
        if (!seesEverything && posts.Count == 0 && (input.ScopeGrids ?? []).Length == 0)
        {
            throw OrgRuleException.Invalid("assignments", "Staff created by a scoped administrator need at least one post within that scope.");
        }

        await CheckUniqueAsync(conn, tx, id, input);
        await conn.ExecuteAsync(
            """
            INSERT INTO staff (id, staff_no, name, phone, department_id, username, password_hash, system_roles, scope_grids)
            VALUES (@id, @StaffNo, @Name, @Phone, @DepartmentId, @Username, @hash, @roles, @scopes)
            """,
            new { id, input.StaffNo, input.Name, input.Phone, input.DepartmentId, input.Username, hash = input.Password is null ? null : PasswordHasher.Hash(input.Password), roles = input.SystemRoles ?? [], scopes = input.ScopeGrids ?? [] }, tx);
        foreach (var p in posts)
        {
            await InsertAssignmentAsync(conn, tx, id, p);
        }

        await tx.CommitAsync();
        await cache.InvalidateAsync();
        return (await GetAsync(id, new GridScope(true, [])))!;
    }

    public async Task<StaffMember> UpdateAsync(Guid id, StaffInput input, GridScope scope, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var visible = await conn.ExecuteScalarAsync<bool>(
            $"SELECT EXISTS (SELECT 1 FROM staff s WHERE s.id = @id AND {VisibleToScope})", new { id, all = scope.All, roots = scope.Roots }, tx);
        if (!visible)
        {
            throw OrgRuleException.NotFound("id", $"Staff member {id} does not exist.");
        }

        await CheckScopeGridsAsync(conn, tx, input.ScopeGrids ?? [], canSee);
        await CheckUniqueAsync(conn, tx, id, input);
        await conn.ExecuteAsync(
            """
            UPDATE staff SET staff_no = @StaffNo, name = @Name, phone = @Phone, department_id = @DepartmentId, username = @Username,
                password_hash = COALESCE(@hash, password_hash), system_roles = @roles, scope_grids = @scopes
            WHERE id = @id
            """,
            new { id, input.StaffNo, input.Name, input.Phone, input.DepartmentId, input.Username, hash = input.Password is null ? null : PasswordHasher.Hash(input.Password), roles = input.SystemRoles ?? [], scopes = input.ScopeGrids ?? [] }, tx);
        await tx.CommitAsync();
        await cache.InvalidateAsync();
        return (await GetAsync(id, new GridScope(true, [])))!;
    }

    /// <summary>Adds a post; the grid must lie in the caller's scope.</summary>
    public async Task<Assignment> AssignAsync(Guid staffId, AssignmentInput input, GridScope scope, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        if (!await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM staff WHERE id = @staffId)", new { staffId }, tx))
        {
            throw OrgRuleException.NotFound("staffId", $"Staff member {staffId} does not exist.");
        }

        var post = (await ResolvePostsAsync(conn, tx, [input], canSee, null))[0];
        var a = await InsertAssignmentAsync(conn, tx, staffId, post);
        var grid = await conn.QuerySingleAsync<GridArea>($"SELECT {GridStore.Columns} FROM grids WHERE id = @GridId", new { a.GridId }, tx);
        await Outbox.AddAsync(conn, tx, [new Contracts.Events.GridChanged
        {
            GridId = grid.Id.ToString(),
            GridCode = grid.Code,
            Change = "staff",
            Domain = a.Domain,
            OccurredAt = clock.GetUtcNow(),
            GridPath = grid.PathStrings,
        }]);
        await tx.CommitAsync();
        await cache.InvalidateAsync();
        return a;
    }

    /// <summary>Ends a post now (the record stays: responsibility must remain traceable).</summary>
    public async Task<bool> EndAssignmentAsync(Guid staffId, Guid assignmentId, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        var grid = await conn.QuerySingleOrDefaultAsync<GridArea>(
            $"SELECT {GridStore.Columns} FROM grids WHERE id = (SELECT grid_id FROM assignments WHERE id = @assignmentId AND staff_id = @staffId)", new { assignmentId, staffId });
        if (grid is null || !canSee(grid.PathStrings))
        {
            return false;
        }

        await conn.ExecuteAsync(
            "UPDATE assignments SET valid_to = @now WHERE id = @assignmentId AND (valid_to IS NULL OR valid_to > @now)",
            new { assignmentId, now = clock.GetUtcNow().UtcDateTime });
        await cache.InvalidateAsync();
        return true;
    }

    public async Task<Department> CreateDepartmentAsync(DepartmentInput input, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        if (input.GridId is not null)
        {
            var g = await conn.QuerySingleOrDefaultAsync<GridArea>($"SELECT {GridStore.Columns} FROM grids WHERE id = @GridId", new { input.GridId });
            if (g is null || !canSee(g.PathStrings))
            {
                throw OrgRuleException.Invalid("gridId", $"Grid {input.GridId} does not exist.");
            }
        }
        else if (!canSee([]))
        {
            throw OrgRuleException.Invalid("gridId", "A scoped administrator creates departments for a grid within the scope.");
        }

        var d = new Department { Id = Guid.CreateVersion7(), Code = input.Code!, Name = input.Name!, Kind = input.Kind!, Domain = input.Domain!, GridId = input.GridId };
        try
        {
            await conn.ExecuteAsync("INSERT INTO departments (id, code, name, kind, domain, grid_id) VALUES (@Id, @Code, @Name, @Kind, @Domain, @GridId)", d);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw OrgRuleException.Conflict("code", $"Department code {input.Code} is already taken.");
        }

        return d;
    }

    /// <summary>One department by id or by code; null when there is none.</summary>
    public async Task<Department?> GetDepartmentAsync(Guid? id, string? code)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<Department>(
            "SELECT id, code, name, kind, domain, grid_id FROM departments WHERE id = @id OR code = @code LIMIT 1", new { id, code });
    }

    public async Task<IReadOnlyList<Department>> DepartmentsAsync(GridScope scope)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<Department>(
            """
            SELECT d.id, d.code, d.name, d.kind, d.domain, d.grid_id FROM departments d LEFT JOIN grids g ON g.id = d.grid_id
            WHERE @all OR g.path && @roots ORDER BY d.code
            """, new { all = scope.All, roots = scope.Roots })).AsList();
    }

    private static async Task CheckUniqueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, StaffInput input)
    {
        if (input.Username is not null && await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM staff WHERE username = @Username AND id <> @id)", new { input.Username, id }, tx))
        {
            throw OrgRuleException.Conflict("username", $"User name {input.Username} is already taken.");
        }

        if (input.StaffNo is not null && await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM staff WHERE staff_no = @StaffNo AND id <> @id)", new { input.StaffNo, id }, tx))
        {
            throw OrgRuleException.Conflict("staffNo", $"Staff number {input.StaffNo} is already taken.");
        }

        if (input.DepartmentId is not null && !await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM departments WHERE id = @DepartmentId)", new { input.DepartmentId }, tx))
        {
            throw OrgRuleException.Invalid("departmentId", $"Department {input.DepartmentId} does not exist.");
        }
    }

    private static async Task CheckScopeGridsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] grids, Func<IReadOnlyList<string>, bool> canSee)
    {
        for (var i = 0; i < grids.Length; i++)
        {
            var g = await conn.QuerySingleOrDefaultAsync<GridArea>($"SELECT {GridStore.Columns} FROM grids WHERE id = @id", new { id = grids[i] }, tx);
            if (g is null || !canSee(g.PathStrings))
            {
                throw OrgRuleException.Invalid($"scopeGrids[{i}]", $"Grid {grids[i]} does not exist.");
            }
        }
    }

    private async Task<List<Assignment>> ResolvePostsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AssignmentInput[] posts, Func<IReadOnlyList<string>, bool> canSee, string? prefix)
    {
        var result = new List<Assignment>();
        for (var i = 0; i < posts.Length; i++)
        {
            var p = posts[i];
            var field = prefix is null ? "gridId" : $"{prefix}[{i}].gridId";
            var g = await conn.QuerySingleOrDefaultAsync<GridArea>(
                $"SELECT {GridStore.Columns} FROM grids WHERE id = @GridId OR (@GridId::uuid IS NULL AND code = @GridCode)", new { p.GridId, p.GridCode }, tx);
            if (g is null || !canSee(g.PathStrings))
            {
                throw OrgRuleException.Invalid(field, $"Grid {(object?)p.GridId ?? p.GridCode} does not exist.");
            }

            result.Add(new Assignment
            {
                Id = Guid.CreateVersion7(),
                GridId = g.Id,
                Role = p.Role!,
                Domain = p.Domain!,
                ValidFrom = (p.ValidFrom ?? clock.GetUtcNow().UtcDateTime).ToUniversalTime(),
                ValidTo = p.ValidTo?.ToUniversalTime(),
            });
        }

        return result;
    }

    private static async Task<Assignment> InsertAssignmentAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid staffId, Assignment a)
    {
        a.StaffId = staffId;
        await conn.ExecuteAsync(
            "INSERT INTO assignments (id, staff_id, grid_id, role, domain, valid_from, valid_to) VALUES (@Id, @StaffId, @GridId, @Role, @Domain, @ValidFrom, @ValidTo)", a, tx);
        return a;
    }
}
