using System.Net;
using System.Text;
using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Tests;

public class BadInputTests
{
    private static async Task AssertProblemNamesAsync(HttpResponseMessage r, HttpStatusCode status, string field)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(status == r.StatusCode, $"{(int)r.StatusCode}: {body}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.True(body.Contains($"\"{field}\""), body);
    }

    [Fact]
    public async Task Bad_places_and_inspections_are_refused_naming_the_field_and_nothing_is_written()
    {
        await using var host = await FireHost.StartAsync();
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        var places = await host.CountAsync("fire.places");
        var inspections = await host.CountAsync("fire.inspections");

        // Unknown grid.
        await AssertProblemNamesAsync(await office.PostJsonAsync("/api/fire/v1/places", new
        {
            name = "无名店",
            category = "StreetShop",
            fileKind = "Unit",
            gridId = "999999",
            address = "x",
            responsiblePerson = "张三",
        }), HttpStatusCode.BadRequest, "gridId");

        // Unknown category (the JSON reader names the member).
        await AssertProblemNamesAsync(await office.PostAsync("/api/fire/v1/places", new StringContent(
            $$"""{"name":"店","category":"Castle","fileKind":"Unit","gridId":"{{FireHost.Village}}","address":"x","responsiblePerson":"张三"}""",
            Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "category");

        // Malformed JSON.
        await AssertProblemNamesAsync(await office.PostAsync("/api/fire/v1/places", new StringContent(
            """{"name":"店","category":"StreetShop","address":""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "address");

        // Nine-small venue without its kind; signage on a non-nine-small place; missing responsible person.
        var r = await office.PostJsonAsync("/api/fire/v1/places", new
        {
            name = "小餐馆",
            category = "NineSmall",
            fileKind = "Unit",
            gridId = FireHost.Village,
            address = "x",
            responsiblePerson = "",
        });
        await AssertProblemNamesAsync(r, HttpStatusCode.BadRequest, "nineSmallKind");
        Assert.Contains("\"responsiblePerson\"", await r.Content.ReadAsStringAsync());

        // Unknown place on an inspection; a start time in the future; a hostile oversized note.
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        await AssertProblemNamesAsync(await gw.PostJsonAsync("/api/fire/v1/inspections", new
        {
            activity = "Inspection",
            gridId = FireHost.Small1,
            placeId = Guid.NewGuid(),
            startedAt = host.Time.GetUtcNow().AddHours(-1),
        }), HttpStatusCode.BadRequest, "placeId");
        await AssertProblemNamesAsync(await gw.PostJsonAsync("/api/fire/v1/inspections", new
        {
            activity = "Inspection",
            gridId = FireHost.Small1,
            startedAt = host.Time.GetUtcNow().AddDays(2),
        }), HttpStatusCode.BadRequest, "startedAt");
        await AssertProblemNamesAsync(await gw.PostJsonAsync("/api/fire/v1/inspections", new
        {
            activity = "Inspection",
            gridId = FireHost.Small1,
            startedAt = host.Time.GetUtcNow().AddHours(-1),
            notes = new string('火', 5000),
            checklist = new[] { new { area = "water", item = "x", ok = true } },
        }), HttpStatusCode.BadRequest, "checklist[0].area");

        // Wrong role for the step: a patrol may not file places; wrong scope: a worker outside the grid.
        var patrol = host.As("pt-1", FireRoles.Patrol, FireHost.Town);
        var denied = await patrol.PostJsonAsync("/api/fire/v1/places", new
        {
            name = "店",
            category = "StreetShop",
            fileKind = "Unit",
            gridId = FireHost.Village,
            address = "x",
            responsiblePerson = "张三",
        });
        await AssertProblemNamesAsync(denied, HttpStatusCode.Forbidden, "claim");
        Assert.Contains("role", await denied.Content.ReadAsStringAsync());
        var outside = host.As("gw-2", FireRoles.GridWorker, FireHost.OtherTown);
        Assert.Equal(HttpStatusCode.Forbidden, (await outside.PostJsonAsync("/api/fire/v1/inspections", new
        {
            activity = "Inspection",
            gridId = FireHost.Small1,
            startedAt = host.Time.GetUtcNow().AddHours(-1),
        })).StatusCode);

        // A token of another domain, and no token at all.
        var env = host.CreateClient(Grid.Testing.TestTokens.Create("env-1", [FireRoles.GridWorker], ["environment"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await env.GetAsync("/api/fire/v1/places")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().GetAsync("/api/fire/v1/places")).StatusCode);

        Assert.Equal(places, await host.CountAsync("fire.places"));
        Assert.Equal(inspections, await host.CountAsync("fire.inspections"));
    }

    [Fact]
    public async Task OpenApi_document_is_anonymous_and_lists_the_fire_routes()
    {
        await using var host = await FireHost.StartAsync();
        var doc = await (await host.CreateClient().GetAsync("/openapi/v1.json")).OkJsonAsync();
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/fire/v1/places", paths);
        Assert.Contains("/api/fire/v1/compliance", paths);
    }
}
