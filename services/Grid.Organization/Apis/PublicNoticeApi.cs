using System.Text.Json;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;

namespace Grid.Organization.Apis;

/// <summary>One responsible person on the public board: name, post and phone — nothing else.</summary>
public sealed record NoticePerson(string Name, string Role, string RoleName, string Domain, string Phone);

/// <summary>公示牌 The public notice of a grid: boundary, responsible people with phones, entity count, hotline.</summary>
public sealed record GridNotice(string Code, string Name, string LevelName, string Hierarchy, int Households, int Population, bool KeyGrid, string? Hotline, string? Notice, int SubjectCount, IReadOnlyList<NoticePerson> Responsible, JsonElement Boundary);

/// <summary>The 公示 board, open to everyone without a token ("公开公示").</summary>
public static class PublicNoticeApi
{
    public static RouteGroupBuilder MapPublicNoticeApi(this RouteGroupBuilder api)
    {
        api.MapGet("/public/grids/{code}/notice", async (string code, GridStore grids, NoticeCounts counts) =>
        {
            var g = await grids.GetByCodeAsync(code);
            if (g is null)
            {
                return Access.NotFound($"Grid {code} does not exist.");
            }

            var people = await grids.ResponsibleAsync([g.Id], null, null);
            var boundary = JsonDocument.Parse((await grids.BoundaryGeoJsonAsync(g.Id))!).RootElement;
            return TypedResults.Ok(new GridNotice(
                g.Code, g.Name, g.LevelName, g.Hierarchy, g.Households, g.Population, g.KeyGrid, g.Hotline, g.Notice,
                await counts.SubjectsInAsync(g.Id),
                people.Select(p => new NoticePerson(p.Name, p.Role, StaffRoles.Chinese.GetValueOrDefault(p.Role, p.Role), p.Domain, p.Phone)).ToList(),
                boundary));
        }).AllowAnonymous().WithTags("Public");
        return api;
    }
}

/// <summary>How many regulated subjects lie in a grid's subtree.</summary>
public sealed class NoticeCounts(Npgsql.NpgsqlDataSource db)
{
    public async Task<int> SubjectsInAsync(Guid gridId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<int>(conn,
            "SELECT count(*)::int FROM subjects s JOIN grids g ON g.id = s.grid_id WHERE g.path @> ARRAY[@gridId]::uuid[]", new { gridId });
    }
}
