using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// What a database made by an earlier version lacks against the model, as statements (<see cref="DomainSchema{TContext}"/>
/// runs them, in this order): tables the model added, columns it added to a table, NOT NULL it dropped, indexes it
/// added. Only widening changes; nothing is dropped.
/// </summary>
internal static class SchemaUpgrade
{
    /// <summary>PostgreSQL's own columns of every table (a concurrency token maps to xmin); information_schema omits them.</summary>
    private static readonly HashSet<string> SystemColumns = ["xmin", "xmax", "cmin", "cmax", "ctid", "tableoid"];

    /// <summary>A column as the database has it.</summary>
    internal sealed record ExistingColumn(string Table, string Name, bool Nullable);

    /// <summary>Reads <c>table|column|is_nullable</c> as information_schema.columns gives them.</summary>
    internal static ExistingColumn Column(string row)
    {
        var parts = row.Split('|');
        return new ExistingColumn(parts[0], parts[1], parts[2] == "YES");
    }

    internal static IEnumerable<string> ColumnChanges(IModel model, string schema, IReadOnlyCollection<string> existingTables,
        IReadOnlyCollection<ExistingColumn> columns)
    {
        var known = columns.ToDictionary(c => (c.Table, c.Name));
        var seen = new HashSet<(string, string)>();
        foreach (var entity in model.GetEntityTypes())
        {
            // A type stored as JSON inside its owner's column has no columns of its own.
            if (entity.IsMappedToJson() || entity.GetTableName() is not { } table || !existingTables.Contains(table)
                || (entity.GetSchema() ?? schema) != schema)
            {
                continue;
            }

            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName(store) is not { } name || SystemColumns.Contains(name) || !seen.Add((table, name)))
                {
                    continue;
                }

                if (!known.TryGetValue((table, name), out var existing))
                {
                    yield return $"ALTER TABLE \"{schema}\".\"{table}\" ADD COLUMN \"{name}\" {property.GetColumnType(store)}{Filling(property, store)}";
                }
                else if (!existing.Nullable && property.IsColumnNullable(store))
                {
                    yield return $"ALTER TABLE \"{schema}\".\"{table}\" ALTER COLUMN \"{name}\" DROP NOT NULL";
                }
            }
        }
    }

    /// <summary>
    /// The default a new column takes on the rows already there: the model's own, else for a NOT NULL column its type's
    /// zero (an empty string for text). A NOT NULL column of another kind needs a default in the model.
    /// </summary>
    private static string Filling(IProperty property, in StoreObjectIdentifier store)
    {
        var nullable = property.IsColumnNullable(store);
        var notNull = nullable ? "" : " NOT NULL";
        if (property.GetDefaultValueSql(store) is { } sql)
        {
            return $" DEFAULT ({sql}){notNull}";
        }

        var value = property.GetDefaultValue(store);
        if (value is null && !nullable)
        {
            value = property.ClrType == typeof(string) ? ""
                : property.ClrType.IsValueType ? Activator.CreateInstance(property.ClrType)
                : throw new InvalidOperationException(
                    $"{store.Name}.{property.GetColumnName(store)} is new and NOT NULL: give it a default in the model for the rows already there");
        }

        return value is null ? "" : $" DEFAULT {property.GetRelationalTypeMapping().GenerateSqlLiteral(value)}{notNull}";
    }

    /// <summary>The create script's CREATE TABLE statements for the tables the database lacks.</summary>
    internal static IEnumerable<string> MissingTables(string script, string schema, IReadOnlyCollection<string> existingTables) =>
        Creates(script, schema).Where(c => c.Index is null && !existingTables.Contains(c.Table)).Select(c => c.Statement);

    /// <summary>The create script's CREATE INDEX statements for the indexes the database lacks (a new table's too).</summary>
    internal static IEnumerable<string> MissingIndexes(string script, string schema, IReadOnlyCollection<string> existingIndexes) =>
        Creates(script, schema).Where(c => c.Index is { } index && !existingIndexes.Contains(index)).Select(c => c.Statement);

    /// <summary>One CREATE TABLE (no index name) or CREATE INDEX of the model's create script, in the domain's schema.</summary>
    private sealed record Created(string Statement, string Table, string? Index);

    private static IEnumerable<Created> Creates(string script, string schema)
    {
        var create = new Regex($"""^CREATE (?:UNIQUE )?(?:TABLE|INDEX "?(?<index>[^" ]+)"? ON) "?{Regex.Escape(schema)}"?\."?(?<table>[a-z_]+)"?""");
        foreach (var statement in script.Split(";", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (create.Match(statement) is { Success: true } m)
            {
                yield return new Created(statement, m.Groups["table"].Value, m.Groups["index"].Success ? m.Groups["index"].Value : null);
            }
        }
    }
}
