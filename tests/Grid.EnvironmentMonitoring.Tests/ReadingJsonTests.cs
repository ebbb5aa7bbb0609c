using System.Text;
using Grid.EnvironmentMonitoring.Apis;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>The one-pass reader of well-formed batches accepts nothing the general reader would read otherwise.</summary>
public class ReadingJsonTests
{
    private const string Row = """{"station":"ST-1","pollutant":"COD","value":42.5,"unit":"mg/L","time":"2026-11-02T08:00:00+08:00"}""";

    [Fact]
    public void A_well_formed_batch_is_read_in_one_pass_as_the_general_reader_reads_it()
    {
        var body = "[" + string.Join(",", Enumerable.Range(0, 50).Select(i =>
            $$"""{"time":"2026-11-02T08:{{i:D2}}:00Z","station":"ST-{{i % 3}}","unit":"mg/L","value":{{i}}.25,"pollutant":"NH3N"}""")) + "]";

        var fast = ReadingJson.TryRead(Encoding.UTF8.GetBytes(body), 1000);
        var general = ReadingsApi.ParseAnyJson(Encoding.UTF8.GetBytes(body), 1000).Rows;

        Assert.NotNull(fast);
        Assert.Equal(general, fast);
        Assert.Equal(50, fast.Count);
        // A station's id is one string however many rows name it.
        Assert.Same(fast[0].Station, fast[3].Station);
    }

    [Theory]
    [InlineData("""[{"Station":"ST-1","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")] // other spelling
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":"1","unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")] // number as text
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":"NaN","unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")]
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":1e400,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")]
    [InlineData("""[{"station":"\u7ad9","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")] // escaped
    [InlineData("""[{"station":"  ","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")] // blank
    [InlineData("""[{"station":null,"pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")]
    [InlineData("""[{"pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")] // missing
    [InlineData("""[{"station":"ST-1","station":"ST-2","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}]""")] // twice
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z","note":"x"}]""")] // extra field
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":1,"unit":"mg/L","time":"yesterday"}]""")]
    [InlineData("""[null]""")]
    [InlineData("""[[1]]""")]
    [InlineData("""{"station":"ST-1"}""")]
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}""")] // cut short
    [InlineData("""[{"station":"ST-1","pollutant":"COD","value":1,"unit":"mg/L","time":"2026-11-02T08:00:00Z"}] []""")] // trailing
    public void Anything_else_is_left_to_the_general_reader(string body)
    {
        Assert.Null(ReadingJson.TryRead(Encoding.UTF8.GetBytes(body), 1000));
    }

    [Fact]
    public void Broken_utf8_and_too_many_rows_are_left_to_the_general_reader()
    {
        var broken = Encoding.UTF8.GetBytes(Row.Replace("ST-1", "ST-\u00e9", StringComparison.Ordinal));
        broken[Array.IndexOf(broken, (byte)0xC3)] = 0xFF;
        Assert.Null(ReadingJson.TryRead($"[{Encoding.Latin1.GetString(broken)}]".Select(c => (byte)c).ToArray(), 1000));

        var three = Encoding.UTF8.GetBytes($"[{Row},{Row},{Row}]");
        Assert.Null(ReadingJson.TryRead(three, 2));
        Assert.Equal(3, ReadingJson.TryRead(three, 3)!.Count);
        // The general reader then says why: too many rows (both null).
        Assert.Equal((null, null), ReadingsApi.ParseAnyJson(three, 2));
    }
}
