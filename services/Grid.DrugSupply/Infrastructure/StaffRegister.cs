using Grid.DrugSupply.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>The drug network's staff files as the coverage reports need them.</summary>
internal static class StaffRegister
{
    /// <summary>Grid id → the people dismissed there and not appointed there again (they no longer count as staff of the grid).</summary>
    public static async Task<Dictionary<string, HashSet<string>>> DismissedAsync(DrugsDbContext db, CancellationToken ct)
    {
        var rows = await db.Staff.AsNoTracking()
            .Where(s => s.DismissedOn != null && !db.Staff.Any(a => a.PersonId == s.PersonId && a.GridId == s.GridId && a.DismissedOn == null))
            .Select(s => new { s.GridId, s.PersonId }).ToListAsync(ct);
        return rows.GroupBy(r => r.GridId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.PersonId).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
    }
}
