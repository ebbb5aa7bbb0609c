namespace Grid.Organization.Domain;

/// <summary>统一社会信用代码 The 18-character unified social credit code (GB 32100-2015) with its check character.</summary>
public static class CreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static bool IsValid(string? code)
    {
        if (code is not { Length: 18 })
        {
            return false;
        }

        var check = CheckCharacter(code.AsSpan(0, 17));
        return check is not null && code[17] == check;
    }

    /// <summary>The check character for the first 17 characters, or null when one of them is not in the alphabet.</summary>
    public static char? CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var v = Alphabet.IndexOf(first17[i]);
            if (v < 0)
            {
                return null;
            }

            sum += v * Weights[i];
        }

        var c = 31 - (sum % 31);
        return Alphabet[c == 31 ? 0 : c];
    }

    /// <summary>A valid code from 17 leading characters (demo data, tests).</summary>
    public static string Complete(string first17) => first17 + CheckCharacter(first17);
}
