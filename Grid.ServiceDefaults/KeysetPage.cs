using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// 分页: a keyset page of a list, asked for with <c>cursor</c> and <c>limit</c>. The cursor is opaque to callers
/// (base64url of the last row's sort key and id), so a list reads only the rows after it, in SQL, however far in.
/// </summary>
public sealed record KeysetPage(int Limit, string? AfterKey, string? AfterId)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>The page asked for, or a 400 problem naming <c>cursor</c> or <c>limit</c>.</summary>
    public static bool TryParse(string? cursor, int? limit, out KeysetPage page, [NotNullWhen(false)] out IResult? problem)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"must be between 1 and {MaxLimit}"];
        }

        string? key = null, id = null;
        if (cursor is not null && !TryDecode(cursor, out key, out id))
        {
            errors["cursor"] = ["is not a cursor this list returned"];
        }

        page = new KeysetPage(limit ?? DefaultLimit, key, id);
        problem = errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
        return problem is null;
    }

    /// <summary>The page asked for and the uuid id its cursor stands after, or a 400 problem naming <c>cursor</c> or <c>limit</c>.</summary>
    public static bool TryParse(string? cursor, int? limit, out KeysetPage page, out Guid? afterId, [NotNullWhen(false)] out IResult? problem)
    {
        afterId = null;
        if (!TryParse(cursor, limit, out page, out problem))
        {
            return false;
        }

        problem = page.TryAfterId(out afterId) ? null : BadCursor();
        return problem is null;
    }

    /// <summary>The page asked for and the (time, uuid id) its cursor stands after, or a 400 problem naming <c>cursor</c> or <c>limit</c>.</summary>
    public static bool TryParse(string? cursor, int? limit, out KeysetPage page, out DateTime? afterAt, out Guid? afterId, [NotNullWhen(false)] out IResult? problem)
    {
        afterAt = null;
        afterId = null;
        if (!TryParse(cursor, limit, out page, out problem))
        {
            return false;
        }

        problem = page.TryAfterTime(out afterAt, out afterId) ? null : BadCursor();
        return problem is null;
    }

    /// <summary>
    /// The page's rows (of the <see cref="Limit"/> + 1 read) and the cursor of the next page, null on the last;
    /// <paramref name="keyOf"/> gives a row's sort key and id, as the query compares them.
    /// </summary>
    public (List<T> Items, string? Next) Cut<T>(IReadOnlyList<T> rows, Func<T, (string Key, string Id)> keyOf)
    {
        if (rows.Count <= Limit)
        {
            return (rows.ToList(), null);
        }

        var items = rows.Take(Limit).ToList();
        var (key, id) = keyOf(items[^1]);
        return (items, Encode(key, id));
    }

    /// <summary>
    /// The list as JSON, unchanged for callers that read one page, with the next page's cursor in the
    /// <c>Next-Cursor</c> header and a <c>Link</c> (RFC 8288) to it.
    /// </summary>
    public IResult Ok<T>(HttpContext http, IReadOnlyList<T> rows, Func<T, (string Key, string Id)> keyOf)
    {
        var (items, next) = Cut(rows, keyOf);
        return Answer(http, items, next);
    }

    /// <summary>
    /// A page's items with the next page's cursor (null on the last) in the <c>Next-Cursor</c> header and a <c>Link</c>
    /// to it; the body is the plain list, or with <paramref name="cursorInBody"/> <c>{ items, nextCursor }</c> for the
    /// lists that have always answered so.
    /// </summary>
    public IResult Answer<T>(HttpContext http, IReadOnlyList<T> items, string? next, bool cursorInBody = false)
    {
        if (next is not null)
        {
            var query = QueryString.Create(http.Request.Query
                .Where(q => q.Key is not ("cursor" or "limit"))
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new("limit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Append(new("cursor", next)));
            http.Response.Headers["Next-Cursor"] = next;
            http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}{query}>; rel=\"next\"";
        }

        return cursorInBody ? TypedResults.Ok(new KeysetItems<T>(items, next)) : (IResult)TypedResults.Ok(items);
    }

    /// <summary>The cursor's position as a uuid id alone; false when the cursor holds something else.</summary>
    public bool TryAfterId(out Guid? id)
    {
        id = null;
        if (AfterId is null)
        {
            return true;
        }

        if (!Guid.TryParse(AfterId, out var parsed))
        {
            return false;
        }

        id = parsed;
        return true;
    }

    /// <summary>The cursor's position as a time and a uuid id; false when the cursor holds something else.</summary>
    public bool TryAfterTime(out DateTime? at, out Guid? id)
    {
        at = null;
        if (!TryAfterId(out id))
        {
            return false;
        }

        if (AfterKey is null)
        {
            return true;
        }

        if (!DateTime.TryParse(AfterKey, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed))
        {
            return false;
        }

        at = parsed.ToUniversalTime();
        return true;
    }

    /// <summary>A time as a cursor key: round-trip format, UTC.</summary>
    public static string Key(DateTimeOffset at) => at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>400 naming <c>cursor</c>: one this list did not return.</summary>
    public static IResult BadCursor() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["is not a cursor this list returned"] });

    private static string Encode(string key, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key.Length}:{key}{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string cursor, out string? key, out string? id)
    {
        key = id = null;
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=')));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon < 1 || !int.TryParse(text.AsSpan(0, colon), out var length) || length < 0 || colon + 1 + length >= text.Length)
            {
                return false;
            }

            key = text.Substring(colon + 1, length);
            id = text[(colon + 1 + length)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>A page in the body with its next cursor (<c>{ items, nextCursor }</c>), as the lists that answer so write it.</summary>
public sealed record KeysetItems<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// One page of a list read after its cursor: the page's rows (at most <see cref="KeysetPage.Limit"/>) and the next
/// page's cursor, or the 400 problem that a bad <c>cursor</c> or <c>limit</c> earned instead.
/// </summary>
public sealed class KeysetRows<T>
{
    private KeysetRows(KeysetPage? page, List<T> rows, string? next, IResult? problem) => (Page, Rows, Next, Problem) = (page, rows, next, problem);

    public KeysetPage? Page { get; }

    public List<T> Rows { get; }

    public string? Next { get; }

    public IResult? Problem { get; }

    /// <summary>The rows read (the page's and one more, to know whether a next page exists), cut to the page.</summary>
    public static KeysetRows<T> Read(KeysetPage page, IReadOnlyList<T> rows, Func<T, (string Key, string Id)> keyOf)
    {
        var (items, next) = page.Cut(rows, keyOf);
        return new(page, items, next, null);
    }

    public static KeysetRows<T> Refused(IResult problem) => new(null, [], null, problem);

    /// <summary>The page as a plain list (see <see cref="KeysetPage.Answer"/>), or the problem.</summary>
    public IResult Ok<TItem>(HttpContext http, Func<T, TItem> item) => Ok(http, Rows.Select(item).ToList());

    /// <summary>The page's <paramref name="items"/> (made from <see cref="Rows"/>) as a plain list, or the problem.</summary>
    public IResult Ok<TItem>(HttpContext http, IReadOnlyList<TItem> items) => Problem ?? Page!.Answer(http, items, Next);

    /// <summary>The page as <c>{ items, nextCursor }</c>, or the problem.</summary>
    public IResult OkWithCursor<TItem>(HttpContext http, Func<T, TItem> item) => Problem ?? Page!.Answer(http, Rows.Select(item).ToList(), Next, cursorInBody: true);
}
