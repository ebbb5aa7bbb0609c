using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xunit;

namespace Grid.Testing.DomainHosts;

/// <summary>JSON over HTTP as the domain services' tests send and check it (enums by name, web casing).</summary>
public static class DomainHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient c, string url, T body) => c.PostAsJsonAsync(url, body, Json);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>The body of a successful response (fails the test otherwise).</summary>
    public static async Task<string> ReadAsStringAsync(this HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {body}");
        return body;
    }

    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage r, int status)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"expected {status}, got {(int)r.StatusCode}: {body}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The fields a 400 names.</summary>
    public static async Task<string[]> FieldErrorsAsync(this HttpResponseMessage r) =>
        [.. (await r.ProblemAsync(400)).GetProperty("errors").EnumerateObject().Select(p => p.Name)];
}
