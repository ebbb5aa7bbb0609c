using System.Collections.Concurrent;
using System.Reflection;
using Npgsql;
using NpgsqlTypes;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// A change record's properties as named parameters (<c>@Name</c>) with their PostgreSQL types stated. Dapper left
/// the type to Npgsql, which looked it up through the global type mapper for every parameter of every event: 37 %
/// of the command centre's CPU under load (perf, 250 reports/s).
/// </summary>
internal static class TypedParameters
{
    private static readonly ConcurrentDictionary<Type, (string Name, PropertyInfo Property, NpgsqlDbType Type)[]> Shapes = new();

    public static NpgsqlCommand Command(string sql, object row, NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, property, type) in Shapes.GetOrAdd(row.GetType(), Shape))
        {
            var value = property.GetValue(row);
            if (value is DateTime { Kind: not DateTimeKind.Utc } local)
            {
                // As before: a time without a zone is taken as UTC, the zone every event's time is in.
                value = DateTime.SpecifyKind(local, DateTimeKind.Utc);
            }

            cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        }

        return cmd;
    }

    private static (string, PropertyInfo, NpgsqlDbType)[] Shape(Type t) =>
        [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (p.Name, p, TypeOf(p.PropertyType, p.Name)))];

    private static NpgsqlDbType TypeOf(Type t, string name) => (Nullable.GetUnderlyingType(t) ?? t) switch
    {
        var x when x == typeof(Guid) => NpgsqlDbType.Uuid,
        var x when x == typeof(string) => NpgsqlDbType.Text,
        var x when x == typeof(string[]) => NpgsqlDbType.Array | NpgsqlDbType.Text,
        var x when x == typeof(DateTime) => NpgsqlDbType.TimestampTz,
        var x when x == typeof(double) => NpgsqlDbType.Double,
        var x when x == typeof(bool) => NpgsqlDbType.Boolean,
        var x when x == typeof(int) => NpgsqlDbType.Integer,
        _ => throw new NotSupportedException($"{name}: no PostgreSQL type for {t}"),
    };
}
