using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Grid.Testing;

/// <summary>Reads a keyset-paged list (<c>KeysetPage</c>) to its end by following each page's <c>Link: rel="next"</c>.</summary>
public static class KeysetPages
{
    /// <summary>Every item of every page from <paramref name="first"/> on, and how many pages it took.</summary>
    public static async Task<(List<JsonElement> Items, int Pages)> ReadAllPagesAsync(this HttpClient client, string first)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        for (var url = first; url is not null; pages++)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            items.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
            url = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('>')[0].TrimStart('<') : null;
            Assert.True(pages < 10, "the cursor does not move on");
        }

        return (items, pages);
    }
}
