using System.Data;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Dapper;
using Grid.Contracts.Events;
using Grid.Organization.Domain;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// The point → grid lookups answered from memory: one <see cref="GridPointIndex"/> per hierarchy, loaded at start and
/// reloaded when the hierarchy's counter in <c>grid_versions</c> moves. A change reaches every replica through the
/// cache's invalidation (this instance's own writes at once, other instances' on the Redis channel): from that
/// moment until the reload is in, lookups go to PostGIS, so no replica answers from a boundary it has been told is
/// gone. A change that came without a message (Redis down, a hand-made SQL edit) is found by the poll within
/// <see cref="PollInterval"/>. PostGIS stays the source of truth and answers whatever the index cannot.
/// </summary>
public sealed class GridIndex : BackgroundService
{
    /// <summary>How often the counters are read when no change was announced.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _db;
    private readonly ILogger<GridIndex> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile IReadOnlyDictionary<string, GridPointIndex> _indexes = new Dictionary<string, GridPointIndex>();
    private long _announced;
    private long _applied;
    private long _fromMemory;
    private long _toDatabase;

    public GridIndex(NpgsqlDataSource db, OrganizationCache cache, IMeterFactory meters, ILogger<GridIndex> logger)
    {
        _db = db;
        _logger = logger;
        cache.Invalidated += Announce;
        meters.Create("Grid.Organization").CreateObservableCounter("grid.point_index.lookups", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _fromMemory), new KeyValuePair<string, object?>("answered", "memory")),
            new Measurement<long>(Interlocked.Read(ref _toDatabase), new KeyValuePair<string, object?>("answered", "database")),
        }, description: "Point → grid lookups, answered from the in-memory index or left to PostGIS");
    }

    /// <summary>The snapshots now in use, by hierarchy.</summary>
    public IReadOnlyDictionary<string, GridPointIndex> Indexes => _indexes;

    /// <summary>Every hierarchy is loaded and no announced change is pending.</summary>
    public bool Current => Interlocked.Read(ref _applied) == Interlocked.Read(ref _announced) && Domains.All.All(_indexes.ContainsKey);

    /// <summary>A change to grids may have been committed: stop answering from memory until it is read.</summary>
    public void Announce()
    {
        Interlocked.Increment(ref _announced);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Lookups answered from memory, and left to the database, since start (also the metric <c>grid.point_index.lookups</c>).</summary>
    public (long FromMemory, long ToDatabase) Lookups => (Interlocked.Read(ref _fromMemory), Interlocked.Read(ref _toDatabase));

    public PointAnswer Resolve(string hierarchy, double longitude, double latitude)
    {
        var answer = Interlocked.Read(ref _applied) == Interlocked.Read(ref _announced) && _indexes.TryGetValue(hierarchy, out var index)
            ? index.Resolve(longitude, latitude)
            : PointAnswer.Unknown;
        Interlocked.Increment(ref answer.Known ? ref _fromMemory : ref _toDatabase);
        return answer;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var announced = Interlocked.Read(ref _announced);
            try
            {
                await RefreshAsync(stoppingToken);
                Interlocked.Exchange(ref _applied, announced);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Grid point index could not be refreshed; lookups go to the database");
            }

            using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            poll.CancelAfter(PollInterval);
            try
            {
                await _wake.Reader.ReadAsync(poll.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        Dictionary<string, long> versions;
        await using (var conn = await _db.OpenConnectionAsync(ct))
        {
            versions = (await conn.QueryAsync<(string Hierarchy, long Version)>("SELECT hierarchy, version FROM grid_versions")).ToDictionary(r => r.Hierarchy, r => r.Version);
        }

        var current = _indexes;
        Dictionary<string, GridPointIndex>? next = null;
        foreach (var hierarchy in Domains.All)
        {
            if (current.TryGetValue(hierarchy, out var have) && have.Version == versions.GetValueOrDefault(hierarchy))
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var loaded = await LoadAsync(_db, hierarchy, ct);
            (next ??= new Dictionary<string, GridPointIndex>(current))[hierarchy] = loaded;
            _logger.LogInformation("Grid point index {Hierarchy}: {Count} grids at version {Version}, loaded in {Milliseconds:F0} ms",
                hierarchy, loaded.Count, loaded.Version, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (next is not null)
        {
            _indexes = next;
        }
    }

    /// <summary>One hierarchy's boundaries and its counter, read in one snapshot of the database.</summary>
    public static async Task<GridPointIndex> LoadAsync(NpgsqlDataSource db, string hierarchy, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var version = await conn.ExecuteScalarAsync<long?>("SELECT version FROM grid_versions WHERE hierarchy = @hierarchy", new { hierarchy }, tx) ?? 0;

        // Rows come in the database's own code order: a grid's rank settles ties on a shared edge as ORDER BY code does.
        await using var cmd = new NpgsqlCommand(
            """
            SELECT id, code, name, level_name, depth, parent_id, path, households, population, key_grid, polygonal,
                   CASE WHEN polygonal THEN ST_AsBinary(boundary) END,
                   CASE WHEN NOT polygonal THEN Box2D(boundary) END::text
            FROM (SELECT *, ST_GeometryType(boundary) IN ('ST_Polygon', 'ST_MultiPolygon') AS polygonal FROM grids WHERE hierarchy = $1) g
            ORDER BY code
            """, conn, tx);
        cmd.Parameters.AddWithValue(hierarchy);
        var grids = new List<IndexedGrid>();
        var rank0 = 0;
        var levelNames = new Dictionary<string, string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var levelName = r.GetString(3);
                var grid = new GridArea
                {
                    Id = r.GetGuid(0),
                    Code = r.GetString(1),
                    Name = r.GetString(2),
                    LevelName = levelNames.TryGetValue(levelName, out var shared) ? shared : levelNames[levelName] = levelName,
                    Depth = r.GetInt32(4),
                    ParentId = r.IsDBNull(5) ? null : r.GetGuid(5),
                    Hierarchy = hierarchy,
                    Path = r.GetFieldValue<Guid[]>(6),
                    Households = r.GetInt32(7),
                    Population = r.GetInt32(8),
                    KeyGrid = r.GetBoolean(9),
                };
                var rank = rank0++;
                if (r.GetBoolean(10))
                {
                    var shape = GridShape.FromWkb(r.GetFieldValue<byte[]>(11))!;
                    grids.Add(new IndexedGrid(grid, rank, shape, new Envelope(shape.MinX, shape.MaxX, shape.MinY, shape.MaxY)));
                }
                else if (!r.IsDBNull(12) && ParseBox(r.GetString(12)) is { } box)
                {
                    // Another geometry type: PostGIS tests it with GEOS; the index only knows where to ask.
                    grids.Add(new IndexedGrid(grid, rank, null, box));
                }
            }
        }

        await tx.CommitAsync(ct);
        return new GridPointIndex(hierarchy, version, grids);
    }

    // "BOX(xmin ymin,xmax ymax)"
    private static Envelope? ParseBox(string text)
    {
        var n = text.Replace("BOX(", "", StringComparison.Ordinal).TrimEnd(')').Split([' ', ','])
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (n.Length != 4)
        {
            return null;
        }

        // The text keeps 15 digits: widen by a centimetre so that rounding never leaves a covered point out.
        var box = new Envelope(n[0], n[2], n[1], n[3]);
        box.ExpandBy(1e-7);
        return box;
    }
}
