using System.Net;
using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Tests;

public class PlacesTests
{
    private static object Place(string name, string category, string grid, string? nineSmallKind = null, object? signage = null) => new
    {
        name,
        category,
        nineSmallKind,
        fileKind = "Unit",
        subjectId = "91511921MA6XXXXX0A",
        gridId = grid,
        address = "城关镇东街12号",
        responsiblePerson = "王建国",
        responsiblePhone = "13800000001",
        manager = "李红",
        signage,
    };

    [Fact]
    public void Category_decides_the_authority_as_004_says_and_configuration_can_follow_000_pian4()
    {
        var rule = new SupervisionRouting();
        Assert.Equal(SupervisingAuthority.FireBrigade, rule.AuthorityFor(PlaceCategory.KeyUnitA));
        Assert.Equal(SupervisingAuthority.FireBrigade, rule.AuthorityFor(PlaceCategory.KeyUnitC));
        Assert.Equal(SupervisingAuthority.FireBrigade, rule.AuthorityFor(PlaceCategory.GeneralUnit));
        Assert.Equal(SupervisingAuthority.PoliceStation, rule.AuthorityFor(PlaceCategory.NineSmall));
        Assert.Equal(SupervisingAuthority.PoliceStation, rule.AuthorityFor(PlaceCategory.ThreeInOne));

        var county = new SupervisionRouting(new Dictionary<PlaceCategory, SupervisingAuthority>
        {
            [PlaceCategory.KeyUnitB] = SupervisingAuthority.PoliceStation,
        });
        Assert.Equal(SupervisingAuthority.PoliceStation, county.AuthorityFor(PlaceCategory.KeyUnitB));
        Assert.Equal(SupervisingAuthority.FireBrigade, county.AuthorityFor(PlaceCategory.KeyUnitA));
    }

    [Fact]
    public async Task Filing_a_place_routes_it_to_its_authority_and_recategorising_reroutes_it()
    {
        await using var host = await FireHost.StartAsync(h => h.WithSetting("Fire:Supervision:KeyUnitB", "PoliceStation"));
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);

        var hotel = await (await office.PostJsonAsync("/api/fire/v1/places", Place("悦来小旅馆", "NineSmall", FireHost.Small1, "SmallHotel",
            new { fireRisk = "medium", managerShown = "李红 13800000002", precautions = "严禁卧床吸烟", warning = "消防通道禁止堵塞" }))).OkJsonAsync();
        Assert.Equal("PoliceStation", hotel.GetProperty("authority").GetString());
        Assert.Equal<string>([FireHost.County, FireHost.Town, FireHost.Village, FireHost.Small1],
            hotel.GetProperty("gridPath").EnumerateArray().Select(e => e.GetString()!).ToArray());

        var mall = await (await office.PostJsonAsync("/api/fire/v1/places", Place("东街商场", "KeyUnitA", FireHost.Village))).OkJsonAsync();
        Assert.Equal("FireBrigade", mall.GetProperty("authority").GetString());

        var school = await (await office.PostJsonAsync("/api/fire/v1/places", Place("东街中学", "KeyUnitB", FireHost.Village))).OkJsonAsync();
        Assert.Equal("PoliceStation", school.GetProperty("authority").GetString()); // configured override

        var id = mall.GetProperty("id").GetGuid();
        var updated = await (await office.PutAsJsonAsync($"/api/fire/v1/places/{id}", Place("东街商场", "StreetShop", FireHost.Village), FireHost.Json)).OkJsonAsync();
        Assert.Equal("PoliceStation", updated.GetProperty("authority").GetString());

        // The police station lists what it supervises; a worker of another township sees none of it.
        var police = host.As("police-1", FireRoles.PoliceStation, FireHost.Town);
        var list = await (await police.GetAsync("/api/fire/v1/places?authority=PoliceStation")).OkJsonAsync();
        Assert.Equal(3, list.GetProperty("items").GetArrayLength());
        var stranger = host.As("gw-9", FireRoles.GridWorker, FireHost.OtherTown);
        Assert.Equal(0, (await (await stranger.GetAsync("/api/fire/v1/places")).OkJsonAsync()).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/fire/v1/places/{id}")).StatusCode);
    }
}
