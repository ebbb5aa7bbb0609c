using System.Text;
using System.Text.Json;
using Grid.EnvironmentMonitoring.Domain;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>
/// The common shape of a pushed batch read in one pass: an array of objects with exactly the fields station,
/// pollutant, unit, time (strings) and value (a finite number), in camel case. Anything else — other spellings,
/// other fields, nulls, blanks, numbers as strings, NaN, a missing field, broken JSON or UTF-8 — is left to the
/// general reader, which names the row and field at fault; so this only makes a well-formed batch cheaper and never
/// changes what is accepted. A text repeated across rows (a station's id) is one string.
/// </summary>
internal static class ReadingJson
{
    private const int MaxText = 256;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The rows, or null when the body is not of the common shape or has more than <paramref name="maxRows"/>.</summary>
    public static List<Reading>? TryRead(ReadOnlySpan<byte> body, int maxRows)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
        var rows = new List<Reading>();
        var texts = new HashSet<string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject || rows.Count == maxRows)
                {
                    return null;
                }

                string? station = null, pollutant = null, unit = null;
                double? value = null;
                DateTimeOffset? time = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader;
                    reader.Read();
                    if (name.ValueTextEquals("value"u8) && value is null && reader.TokenType == JsonTokenType.Number
                        && reader.TryGetDouble(out var v) && double.IsFinite(v))
                    {
                        value = v;
                    }
                    else if (name.ValueTextEquals("time"u8) && time is null && reader.TokenType == JsonTokenType.String
                        && reader.TryGetDateTimeOffset(out var t))
                    {
                        time = t;
                    }
                    else if (name.ValueTextEquals("station"u8) && station is null)
                    {
                        station = Text(ref reader, texts);
                    }
                    else if (name.ValueTextEquals("pollutant"u8) && pollutant is null)
                    {
                        pollutant = Text(ref reader, texts);
                    }
                    else if (name.ValueTextEquals("unit"u8) && unit is null)
                    {
                        unit = Text(ref reader, texts);
                    }
                    else
                    {
                        return null;
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject || station is null || pollutant is null || unit is null || value is null || time is null)
                {
                    return null;
                }

                rows.Add(new Reading(station, pollutant, value.Value, unit, time.Value));
            }

            return reader.TokenType == JsonTokenType.EndArray && !reader.Read() ? rows : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>A plain, non-blank string value, one instance per distinct text; null for anything else.</summary>
    private static string? Text(ref Utf8JsonReader reader, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> texts)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxText)
        {
            return null;
        }

        Span<char> chars = stackalloc char[MaxText];
        var text = chars[..StrictUtf8.GetChars(reader.ValueSpan, chars)];
        if (text.IsWhiteSpace())
        {
            return null;
        }

        if (!texts.TryGetValue(text, out var known))
        {
            known = new string(text);
            texts.Set.Add(known);
        }

        return known;
    }
}
