using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Grid.Contracts.Organization.V1;
using Grid.Organization.Infrastructure;
using Grid.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Grid.Organization.Tests;

/// <summary>The in-memory point index against PostGIS itself, and kept current across two replicas.</summary>
public sealed class GridIndexTests
{
    private const string Hierarchy = "comprehensive";

    private static readonly Metadata Auth = new() { { "Authorization", "Bearer " + TestTokens.Admin() } };

    [Fact]
    public async Task The_index_answers_what_PostGIS_answers_for_random_points_and_points_on_edges_and_vertices()
    {
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("orgindex");
        await using var service = Replica(db, infra, GridInfrastructure.UniqueName("orgindex"));
        var index = service.Services.GetRequiredService<GridIndex>();
        var edges = await SeedJitteredCountyAsync(db);
        await WaitCurrentAsync(index, db);

        var random = new Random(7);
        var points = new List<(double X, double Y)>(100_000 + edges.Count);
        for (var i = 0; i < 100_000; i++)
        {
            // A margin around the county, so that some points are outside every grid.
            points.Add((112.99 + (random.NextDouble() * 0.42), 34.49 + (random.NextDouble() * 0.42)));
        }

        points.AddRange(edges);
        var expected = await PostGisAnswersAsync(db, points);
        var mismatches = new List<string>();
        var outside = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var answer = index.Resolve(Hierarchy, points[i].X, points[i].Y);
            Assert.True(answer.Known, $"the index could not answer for {points[i]}");
            outside += expected[i] is null ? 1 : 0;
            if (answer.Grid?.Id != expected[i])
            {
                mismatches.Add(FormattableString.Invariant($"({points[i].X:R}, {points[i].Y:R}): index {answer.Grid?.Code ?? "none"} {answer.Grid?.Id}, PostGIS {expected[i]?.ToString() ?? "none"}"));
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {points.Count} differ, e.g. {string.Join("; ", mismatches.Take(5))}");
        // The data are what they are meant to be: some points outside, every level and the overlapping grids reached.
        Assert.InRange(outside, 1_000, 30_000);
        var reached = expected.Where(e => e is not null).Distinct().Count();
        Assert.True(reached > 1_500, $"only {reached} grids reached");
    }

    [Fact]
    public async Task A_boundary_edited_on_one_replica_is_answered_by_the_other_replicas_index()
    {
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("orgreplica");
        var prefix = GridInfrastructure.UniqueName("orgreplica");
        await using var a = Replica(db, infra, prefix);
        await using var b = Replica(db, infra, prefix);
        using var admin = a.CreateClient(TestTokens.Admin());
        var root = await CreateAsync(admin, "R", null, OrgHost.Rect(113.0, 34.5, 113.6, 34.9));
        await CreateAsync(admin, "W", root, OrgHost.Rect(113.0, 34.5, 113.3, 34.9));
        var east = await CreateAsync(admin, "E", root, OrgHost.Rect(113.3, 34.5, 113.6, 34.9));
        var indexB = b.Services.GetRequiredService<GridIndex>();
        await WaitCurrentAsync(indexB, db);
        using var channel = Channel(b);
        var clientB = new Contracts.Organization.V1.Organization.OrganizationClient(channel);

        // Before: (113.35, 34.7) is in E, in B's memory and over B's gRPC.
        Assert.Equal("X-E", indexB.Resolve(Hierarchy, 113.35, 34.7).Grid?.Code);
        Assert.Equal("X-E", (await clientB.ResolveGridByPointAsync(Point(113.35, 34.7), Auth)).Code);
        var versionBefore = indexB.Indexes[Hierarchy].Version;

        // Replica A moves E's west edge from 113.3 to 113.4: the point is left to the root alone.
        var r = await admin.PutAsJsonAsync($"/api/org/v1/grids/{east}", OrgHost.GridBody("X-E", "E", "乡镇", root, OrgHost.Rect(113.4, 34.5, 113.6, 34.9)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        // B answers by the new boundary within the stated bound (the Redis message: at once; without it, the poll) ...
        var bound = GridIndex.PollInterval + TimeSpan.FromSeconds(3);
        await Wait.UntilAsync(async () => (await clientB.ResolveGridByPointAsync(Point(113.35, 34.7), Auth)).Code == "X-R", bound, "replica B's gRPC answer");
        // ... and its index holds the database's current version, and the new answer, from memory.
        await Wait.UntilAsync(() => Task.FromResult(indexB.Current && indexB.Indexes[Hierarchy].Version > versionBefore), bound, "replica B's index to reload");
        Assert.Equal(await Wait.ScalarAsync<long>(db, "SELECT version FROM grid_versions WHERE hierarchy = 'comprehensive'"), indexB.Indexes[Hierarchy].Version);
        Assert.Equal("X-R", indexB.Resolve(Hierarchy, 113.35, 34.7).Grid?.Code);
        Assert.Equal("X-E", indexB.Resolve(Hierarchy, 113.45, 34.7).Grid?.Code);
    }

    [Fact]
    public async Task Only_a_position_asked_again_while_the_index_cannot_answer_is_cached_in_redis()
    {
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("orgpolicy");
        var prefix = GridInfrastructure.UniqueName("orgpolicy");
        await using var service = Replica(db, infra, prefix);
        var index = service.Services.GetRequiredService<GridIndex>();
        var cache = service.Services.GetRequiredService<OrganizationCache>();
        // A line as a boundary (only SQL can write one): PostGIS tests it with GEOS, so over its box the index defers.
        await Wait.ScalarAsync<int>(db, """
            INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary)
            SELECT id, code, code, '网格', depth, NULL, 'comprehensive', ARRAY[id], ST_GeomFromText(wkt, 4326) FROM (VALUES
                (gen_random_uuid(), 'P-ROOT', 0, 'POLYGON((113 34.5,113.6 34.5,113.6 34.9,113 34.9,113 34.5))'),
                (gen_random_uuid(), 'P-LINE', 1, 'LINESTRING(113 34.6,113.1 34.8)')) AS t(id, code, depth, wkt);
            SELECT 1
            """);
        await WaitCurrentAsync(index, db);
        using var channel = Channel(service);
        var client = new Contracts.Organization.V1.Organization.OrganizationClient(channel);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(infra.RedisConnectionString);
        Task<bool> CachedAsync(double x, double y) =>
            redis.GetDatabase().KeyExistsAsync(cache.KeyOf(string.Create(CultureInfo.InvariantCulture, $"resolve:{Hierarchy}:{x:R}:{y:R}")));

        Assert.True(index.Resolve(Hierarchy, 113.3, 34.7).Known);
        Assert.False(index.Resolve(Hierarchy, 113.02, 34.75).Known);

        // From memory, twice; from PostGIS, once: neither is written.
        Assert.Equal("P-ROOT", (await client.ResolveGridByPointAsync(Point(113.3, 34.7), Auth)).Code);
        Assert.Equal("P-ROOT", (await client.ResolveGridByPointAsync(Point(113.3, 34.7), Auth)).Code);
        Assert.Equal("P-ROOT", (await client.ResolveGridByPointAsync(Point(113.02, 34.75), Auth)).Code);

        // A position asked for twice where the index defers is written (after the writes above would have been:
        // one connection, commands in order), which proves the two above were not.
        Assert.Equal("P-ROOT", (await client.ResolveGridByPointAsync(Point(113.03, 34.76), Auth)).Code);
        Assert.Equal("P-ROOT", (await client.ResolveGridByPointAsync(Point(113.03, 34.76), Auth)).Code);
        await Wait.UntilAsync(() => CachedAsync(113.03, 34.76), TimeSpan.FromSeconds(5), "the repeated position's cache entry");
        Assert.False(await CachedAsync(113.3, 34.7));
        Assert.False(await CachedAsync(113.02, 34.75));
    }

    private static ResolveGridByPointRequest Point(double x, double y) => new() { Hierarchy = Hierarchy, Longitude = x, Latitude = y };

    private static GridServiceFactory<Program> Replica(string db, GridInfrastructure infra, string cachePrefix)
    {
        var factory = new GridServiceFactory<Program>()
            .WithConnectionString("organizationdb", db)
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("Grid:CachePrefix", cachePrefix);
        _ = factory.Server;
        return factory;
    }

    private static GrpcChannel Channel(GridServiceFactory<Program> factory) =>
        GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler() });

    private static async Task<Guid> CreateAsync(HttpClient admin, string code, Guid? parent, System.Text.Json.Nodes.JsonObject boundary)
    {
        var r = await admin.PostAsJsonAsync("/api/org/v1/grids", OrgHost.GridBody("X-" + code, code, "乡镇", parent, boundary));
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["id"]!.GetValue<Guid>();
    }

    /// <summary>The index has read the database's current counter and no announced change is pending.</summary>
    private static Task WaitCurrentAsync(GridIndex index, string db) => Wait.UntilAsync(
        async () => index.Current && index.Indexes[Hierarchy].Version
            == await Wait.ScalarAsync<long>(db, "SELECT COALESCE((SELECT version FROM grid_versions WHERE hierarchy = 'comprehensive'), 0)"),
        GridIndex.PollInterval + TimeSpan.FromSeconds(10), "the point index to load");

    /// <summary>The service's own query, for every point, in one round trip.</summary>
    private static async Task<Guid?[]> PostGisAnswersAsync(string db, List<(double X, double Y)> points)
    {
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT (SELECT id FROM grids WHERE hierarchy = 'comprehensive' AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
                    ORDER BY depth DESC, code LIMIT 1)
            FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, n) ORDER BY n
            """, conn);
        cmd.CommandTimeout = 300;
        cmd.Parameters.AddWithValue(points.Select(p => p.X).ToArray());
        cmd.Parameters.AddWithValue(points.Select(p => p.Y).ToArray());
        var answers = new List<Guid?>(points.Count);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            answers.Add(r.IsDBNull(0) ? null : r.GetGuid(0));
        }

        return [.. answers];
    }

    /// <summary>
    /// A county of 40 × 40 quadrilaterals on a jittered lattice (slanted shared edges), in 25 blocks that share their
    /// outer edges exactly, a root; a block with a hole where its child was removed, a MultiPolygon and a rectangle
    /// overlapping siblings (ties inside an area go by code), and a few deeper grids. Returns points on edges and
    /// vertices: the lattice's vertices, the midpoints and thirds of every edge.
    /// </summary>
    private static async Task<List<(double X, double Y)>> SeedJitteredCountyAsync(string db)
    {
        const int N = 40, Block = 8;
        var random = new Random(11);
        var lattice = new (double X, double Y)[N + 1, N + 1];
        for (var i = 0; i <= N; i++)
        {
            for (var j = 0; j <= N; j++)
            {
                var jitter = i == 0 || j == 0 || i == N || j == N ? 0 : 0.003;
                lattice[i, j] = (113.0 + (i * 0.01) + ((random.NextDouble() - 0.5) * jitter), 34.5 + (j * 0.01) + ((random.NextDouble() - 0.5) * jitter));
            }
        }

        var rows = new List<(string Code, int Depth, string Wkt)>();
        static string Ring(IEnumerable<(double X, double Y)> ring) =>
            "(" + string.Join(",", ring.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:R} {p.Y:R}"))) + ")";
        (double, double)[] Quad(int i, int j) => [lattice[i, j], lattice[i + 1, j], lattice[i + 1, j + 1], lattice[i, j + 1], lattice[i, j]];

        rows.Add(("ROOT", 0, "POLYGON((112.995 34.495,113.405 34.495,113.405 34.905,112.995 34.905,112.995 34.495))"));
        for (var bi = 0; bi < N / Block; bi++)
        {
            for (var bj = 0; bj < N / Block; bj++)
            {
                int i0 = bi * Block, j0 = bj * Block;
                var outline = Enumerable.Range(0, Block).Select(k => lattice[i0 + k, j0])
                    .Concat(Enumerable.Range(0, Block).Select(k => lattice[i0 + Block, j0 + k]))
                    .Concat(Enumerable.Range(0, Block).Select(k => lattice[i0 + Block - k, j0 + Block]))
                    .Concat(Enumerable.Range(0, Block).Select(k => lattice[i0, j0 + Block - k]))
                    .Append(lattice[i0, j0]);
                var hole = bi == 0 && bj == 0 ? "," + Ring(Quad(2, 2).Reverse()) : "";
                rows.Add(($"B-{bi}-{bj}", 1, $"POLYGON({Ring(outline)}{hole})"));
            }
        }

        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                if (i != 2 || j != 2)
                {
                    rows.Add((string.Create(CultureInfo.InvariantCulture, $"Q-{i:D2}-{j:D2}"), 2, $"POLYGON({Ring(Quad(i, j))})"));
                }
            }
        }

        rows.Add(("A-MULTI", 2, $"MULTIPOLYGON(({Ring(Quad(10, 10))}),({Ring(Quad(12, 12))}))"));
        rows.Add(("ZZ-OVER", 2, "POLYGON((113.2 34.6,113.26 34.6,113.26 34.66,113.2 34.66,113.2 34.6))"));
        rows.Add(("D-DEEP-1", 3, "POLYGON((113.301 34.701,113.303 34.7015,113.302 34.704,113.301 34.701))"));
        rows.Add(("D-DEEP-2", 3, "POLYGON((113.3015 34.7015,113.3035 34.7025,113.302 34.705,113.3015 34.7015))"));

        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary)
                SELECT id, code, code, '网格', depth, NULL, 'comprehensive', ARRAY[id], ST_GeomFromText(wkt, 4326)
                FROM (SELECT gen_random_uuid() AS id, * FROM unnest($1::text[], $2::int[], $3::text[]) AS t(code, depth, wkt)) g
                """, conn);
            cmd.Parameters.AddWithValue(rows.Select(r => r.Code).ToArray());
            cmd.Parameters.AddWithValue(rows.Select(r => r.Depth).ToArray());
            cmd.Parameters.AddWithValue(rows.Select(r => r.Wkt).ToArray());
            await cmd.ExecuteNonQueryAsync();
        }

        var onEdges = new List<(double X, double Y)>();
        for (var i = 0; i <= N; i++)
        {
            for (var j = 0; j <= N; j++)
            {
                var p = lattice[i, j];
                onEdges.Add(p);
                foreach (var q in new[] { i < N ? lattice[i + 1, j] : p, j < N ? lattice[i, j + 1] : p }.Where(q => q != p))
                {
                    onEdges.Add(((p.X + q.X) / 2, (p.Y + q.Y) / 2));
                    onEdges.Add((p.X + ((q.X - p.X) / 3), p.Y + ((q.Y - p.Y) / 3)));
                }
            }
        }

        // The root's edges and corners, and the deep triangles' vertices.
        onEdges.AddRange([(112.995, 34.7), (113.405, 34.495), (113.2, 34.6), (113.23, 34.66), (113.301, 34.701), (113.302, 34.704), (113.3015, 34.7015)]);
        return onEdges;
    }
}
