using Dapper;
using Grid.Organization.Domain;
using Npgsql;

namespace Grid.Organization.Infrastructure;

public sealed record SubjectInput(string? CreditCode, string? Name, string? Kind, string? Category, string? Domain, string? Address, double? Longitude, double? Latitude, Guid? GridId);

/// <summary>Regulated subjects (监管对象), each placed in a grid: given, or found from its point in the comprehensive hierarchy.</summary>
public sealed class SubjectStore(NpgsqlDataSource db, OrganizationCache cache)
{
    public const string Columns = "s.id, s.credit_code, s.name, s.kind, s.category, s.domain, s.address, ST_X(s.location) AS longitude, ST_Y(s.location) AS latitude, s.grid_id";

    private const string Visible = "(@all OR EXISTS (SELECT 1 FROM grids g WHERE g.id = s.grid_id AND g.path && @roots))";

    public async Task<RegulatedSubject?> GetAsync(Guid? id, string? creditCode, GridScope scope)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<RegulatedSubject>(
            $"SELECT {Columns} FROM subjects s WHERE (s.id = @id OR (@id::uuid IS NULL AND s.credit_code = @creditCode)) AND {Visible}",
            new { id, creditCode, all = scope.All, roots = scope.Roots });
    }

    public async Task<IReadOnlyList<RegulatedSubject>> ListAsync(Guid? under, string? domain, GridScope scope, Guid? after, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<RegulatedSubject>(
            $"""
            SELECT {Columns} FROM subjects s
            WHERE {Visible} AND (@after::uuid IS NULL OR s.id > @after) AND (@domain::text IS NULL OR s.domain = @domain)
              AND (@under::uuid IS NULL OR EXISTS (SELECT 1 FROM grids g WHERE g.id = s.grid_id AND g.path @> ARRAY[@under]::uuid[]))
            ORDER BY s.id LIMIT @limit
            """, new { all = scope.All, roots = scope.Roots, after, under, domain, limit })).AsList();
    }

    public async Task<RegulatedSubject> CreateAsync(SubjectInput input, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var s = await InsertAsync(conn, tx, input, canSee, "");
        await tx.CommitAsync();

        // Someone may have asked for this credit code before it was registered; that "not found" is cached.
        await cache.InvalidateAsync();
        return s;
    }

    /// <summary>Inserts one subject inside the caller's transaction; rule violations name <paramref name="prefix"/>+field.</summary>
    public static async Task<RegulatedSubject> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, SubjectInput input, Func<IReadOnlyList<string>, bool> canSee, string prefix)
    {
        GridArea? grid = null;
        if (input.GridId is not null)
        {
            grid = await conn.QuerySingleOrDefaultAsync<GridArea>($"SELECT {GridStore.Columns} FROM grids WHERE id = @GridId", new { input.GridId }, tx);
            if (grid is null)
            {
                throw OrgRuleException.Invalid(prefix + "gridId", $"Grid {input.GridId} does not exist.");
            }
        }
        else if (input.Longitude is not null && input.Latitude is not null)
        {
            grid = await conn.QuerySingleOrDefaultAsync<GridArea>(
                $"""
                SELECT {GridStore.Columns} FROM grids WHERE hierarchy = 'comprehensive'
                  AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(@Longitude, @Latitude), 4326)) ORDER BY depth DESC, code LIMIT 1
                """, new { input.Longitude, input.Latitude }, tx);
        }

        if (grid is null ? !canSee([]) : !canSee(grid.PathStrings))
        {
            throw OrgRuleException.Invalid(prefix + "gridId", "The subject must lie in a grid within the token's scope.");
        }

        var s = new RegulatedSubject
        {
            Id = Guid.CreateVersion7(),
            CreditCode = string.IsNullOrEmpty(input.CreditCode) ? null : input.CreditCode,
            Name = input.Name!,
            Kind = input.Kind!,
            Category = input.Category!,
            Domain = input.Domain!,
            Address = input.Address ?? "",
            Longitude = input.Longitude,
            Latitude = input.Latitude,
            GridId = grid?.Id,
        };
        try
        {
            await conn.ExecuteAsync(
                """
                INSERT INTO subjects (id, credit_code, name, kind, category, domain, address, location, grid_id)
                VALUES (@Id, @CreditCode, @Name, @Kind, @Category, @Domain, @Address,
                        CASE WHEN @Longitude::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(@Longitude, @Latitude), 4326) END, @GridId)
                """, s, tx);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw OrgRuleException.Conflict(prefix + "creditCode", $"Credit code {input.CreditCode} is already registered.");
        }

        return s;
    }
}
