using System.Linq.Expressions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The grid-scope filter of a list, in SQL: a row is in scope when its grid path (root first) holds one of the grids
/// of the caller's posts, an array overlap the GIN index on the path answers.
/// </summary>
public static class GridScopeFilter
{
    /// <summary>The rows whose grid path holds one of <paramref name="grids"/>; all rows when it is null (the whole territory).</summary>
    public static IQueryable<T> WithinGrids<T>(this IQueryable<T> query, IReadOnlyCollection<string>? grids, Expression<Func<T, string[]>> gridPath)
    {
        if (grids is null)
        {
            return query;
        }

        var scopes = grids as string[] ?? [.. grids];
        Expression<Func<string[], bool>> overlaps = path => path.Any(g => scopes.Contains(g));
        return query.Where(Expression.Lambda<Func<T, bool>>(overlaps.Body.Replace(overlaps.Parameters[0], gridPath.Body), gridPath.Parameters));
    }

    /// <summary>The rows on <paramref name="gridId"/> or beneath it; all rows when none is asked for.</summary>
    public static IQueryable<T> UnderGrid<T>(this IQueryable<T> query, string? gridId, Expression<Func<T, string[]>> gridPath)
    {
        if (gridId is not { Length: > 0 })
        {
            return query;
        }

        Expression<Func<string[], bool>> holds = path => path.Contains(gridId);
        return query.Where(Expression.Lambda<Func<T, bool>>(holds.Body.Replace(holds.Parameters[0], gridPath.Body), gridPath.Parameters));
    }

    /// <summary>
    /// <paramref name="body"/> with <paramref name="parameter"/> replaced by <paramref name="with"/>: a condition written once
    /// over a value, applied to a row's member, so the query reads as if written over the row.
    /// </summary>
    public static Expression Replace(this Expression body, ParameterExpression parameter, Expression with) =>
        new Substitution(parameter, with).Visit(body);

    private sealed class Substitution(ParameterExpression parameter, Expression with) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? with : base.VisitParameter(node);
    }
}
