using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// Reads one keyset page (<see cref="KeysetPage"/>) of an EF Core list in SQL: only the rows after the cursor, in
/// the list's order, one more than the page to know whether a next page exists. A list orders by its uuid id alone,
/// or by a text or time key and then the id, compared as a row value (<c>(key, id) &gt; (@key, @id)</c>) so that the
/// index on the pair answers however far in the page is. A list states its query (scope and filters) and its order;
/// the cursor, limit and answer are written here.
/// </summary>
public static class KeysetQuery
{
    /// <summary>The page after <paramref name="cursor"/> in id order.</summary>
    public static async Task<KeysetRows<T>> ReadPageAsync<T>(
        this IQueryable<T> query, string? cursor, int? limit, Expression<Func<T, Guid>> id, CancellationToken ct)
    {
        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterId, out var bad))
        {
            return KeysetRows<T>.Refused(bad);
        }

        if (afterId is { } after)
        {
            Expression<Func<Guid, bool>> isAfter = i => i.CompareTo(after) > 0;
            query = query.Where(Expression.Lambda<Func<T, bool>>(isAfter.Body.Replace(isAfter.Parameters[0], id.Body), id.Parameters));
        }

        var rows = await query.OrderBy(id).Take(page.Limit + 1).ToListAsync(ct);
        var idOf = id.Compile(preferInterpretation: true);
        return KeysetRows<T>.Read(page, rows, r => ("", idOf(r).ToString()));
    }

    /// <summary>The page after <paramref name="cursor"/> in (text key, id) order.</summary>
    public static async Task<KeysetRows<T>> ReadPageAsync<T>(
        this IQueryable<T> query, string? cursor, int? limit, Expression<Func<T, string>> key, Expression<Func<T, Guid>> id, CancellationToken ct)
    {
        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterId, out var bad))
        {
            return KeysetRows<T>.Refused(bad);
        }

        if (afterId is { } after)
        {
            query = query.After(key, id, page.AfterKey ?? "", after);
        }

        var rows = await query.OrderBy(key).ThenBy(id).Take(page.Limit + 1).ToListAsync(ct);
        var (keyOf, idOf) = (key.Compile(preferInterpretation: true), id.Compile(preferInterpretation: true));
        return KeysetRows<T>.Read(page, rows, r => (keyOf(r), idOf(r).ToString()));
    }

    /// <summary>The page after <paramref name="cursor"/> in (time, id) order.</summary>
    public static async Task<KeysetRows<T>> ReadPageAsync<T>(
        this IQueryable<T> query, string? cursor, int? limit, Expression<Func<T, DateTimeOffset>> at, Expression<Func<T, Guid>> id, CancellationToken ct)
    {
        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterAt, out var afterId, out var bad))
        {
            return KeysetRows<T>.Refused(bad);
        }

        if (afterId is { } after && afterAt is { } time)
        {
            query = query.After(at, id, new DateTimeOffset(time, TimeSpan.Zero), after);
        }

        var rows = await query.OrderBy(at).ThenBy(id).Take(page.Limit + 1).ToListAsync(ct);
        var (atOf, idOf) = (at.Compile(preferInterpretation: true), id.Compile(preferInterpretation: true));
        return KeysetRows<T>.Read(page, rows, r => (KeysetPage.Key(atOf(r)), idOf(r).ToString()));
    }

    /// <summary>The rows whose (key, id) comes after the cursor's, as one row-value comparison.</summary>
    private static IQueryable<T> After<T, TKey>(this IQueryable<T> query, Expression<Func<T, TKey>> key, Expression<Func<T, Guid>> id, TKey afterKey, Guid afterId)
    {
        Expression<Func<TKey, Guid, bool>> isAfter = (k, i) => EF.Functions.GreaterThan(ValueTuple.Create(k, i), ValueTuple.Create(afterKey, afterId));
        var row = key.Parameters[0];
        var body = isAfter.Body
            .Replace(isAfter.Parameters[0], key.Body)
            .Replace(isAfter.Parameters[1], id.Body.Replace(id.Parameters[0], row));
        return query.Where(Expression.Lambda<Func<T, bool>>(body, row));
    }
}
