using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Application;

/// <summary>
/// The checks of a new report and where it happened, before any transaction: the fields (errors by field), the domain's
/// own checks (<see cref="ICaseworkHooks.ValidateReport"/>), the grid (given, or resolved from the point) and the
/// reporter's scope over it. The result is a refusal or a <see cref="PlacedReport"/> ready to open.
/// </summary>
public sealed class ReportPlacement(
    CaseworkOptions options,
    CaseAccess access,
    IGridDirectory grids,
    ReporterVault vault,
    ICaseworkHooks hooks,
    CaseClock clock)
{
    private static readonly string[] ReportSources = ["patrol", "inspection", "complaint", "report", "hotline", "sensor", "assignment"];

    public async Task<(CaseOutcome? Refused, PlacedReport? Placed)> PlaceAsync(ReportCaseRequest r, Actor actor, string? idempotencyKey, string keyField, CancellationToken ct)
    {
        if (access.ReportRefusal(actor) is { } forbidden)
        {
            return (forbidden, null);
        }

        var finder = access.IsComprehensiveFinder(actor);
        var now = clock.Now();
        var errors = new Dictionary<string, string[]>();
        void Err(string f, string why) => errors[f] = [why];
        var category = r.Category?.Trim() ?? "";
        var severity = r.Severity?.Trim().ToLowerInvariant() ?? "";
        var title = r.Title?.Trim() ?? "";
        var source = (r.Source?.Trim().ToLowerInvariant()) is { Length: > 0 } s ? s : "patrol";
        if (category.Length == 0) Err("category", "is required");
        else if (category.Length > CaseLimits.MaxShort) Err("category", $"must be at most {CaseLimits.MaxShort} characters");
        if (!options.Severities.Contains(severity, StringComparer.OrdinalIgnoreCase)) Err("severity", $"must be one of: {string.Join(", ", options.Severities)}");
        if (title.Length == 0) Err("title", "is required");
        else if (title.Length > CaseLimits.MaxTitle) Err("title", $"must be at most {CaseLimits.MaxTitle} characters");
        if ((r.Description?.Length ?? 0) > options.MaxTextLength) Err("description", $"must be at most {options.MaxTextLength} characters");
        if (!ReportSources.Contains(source)) Err("source", $"must be one of: {string.Join(", ", ReportSources)}");
        if (r.Longitude is { } lon && (double.IsNaN(lon) || lon < -180 || lon > 180)) Err("longitude", "must be between -180 and 180");
        if (r.Latitude is { } lat && (double.IsNaN(lat) || lat < -90 || lat > 90)) Err("latitude", "must be between -90 and 90");
        if (r.Longitude.HasValue != r.Latitude.HasValue) Err(r.Longitude.HasValue ? "latitude" : "longitude", "longitude and latitude come together");
        if (r.GridId is { Length: > CaseLimits.MaxShort * 2 }) Err("gridId", "is too long");
        if (finder)
        {
            // The finder knows where they stand, not this department's grid tree.
            if (!string.IsNullOrWhiteSpace(r.GridId)) Err("gridId", "a comprehensive-grid finder places the report by longitude and latitude; this department's grid is found from them");
            else if (r.Longitude is null && r.Latitude is null) Err("longitude", "is required from a comprehensive-grid finder (with latitude)");
        }
        else if (string.IsNullOrWhiteSpace(r.GridId) && r.Longitude is null) Err("gridId", "is required unless longitude and latitude are given");
        var occurred = r.OccurredAt is { } device ? AuditChain.Truncate(device) : now;
        if (OfflineReportPolicy.Check(occurred, now, options.OfflineReportWindow) is { } bad) Err("occurredAt", bad);
        if (r.Reporter is { } rep)
        {
            if (string.IsNullOrWhiteSpace(rep.Name)) Err("reporter.name", "is required when a reporter is given");
            else if (rep.Name.Length > CaseLimits.MaxTitle) Err("reporter.name", $"must be at most {CaseLimits.MaxTitle} characters");
            if ((rep.Phone?.Length ?? 0) > CaseLimits.MaxShort) Err("reporter.phone", $"must be at most {CaseLimits.MaxShort} characters");
            if ((rep.IdNumber?.Length ?? 0) > CaseLimits.MaxShort) Err("reporter.idNumber", $"must be at most {CaseLimits.MaxShort} characters");
            if (!vault.Configured) Err("reporter", "this service has no reporter key configured (Casework:ReporterKey) and cannot store reporter identities");
        }

        if (idempotencyKey is { Length: > CaseLimits.MaxIdempotencyKey } or { Length: 0 }) Err(keyField, $"must be 1 to {CaseLimits.MaxIdempotencyKey} characters");
        foreach (var (k, v) in hooks.ValidateReport(r) ?? [])
        {
            errors[k] = v;
        }

        if (errors.Count > 0)
        {
            return (CaseOutcome.Invalid(errors), null);
        }

        if (finder && await FinderPlaceAsync(r.Longitude!.Value, r.Latitude!.Value, actor, ct) is { } refused)
        {
            return (refused, null);
        }

        // Where it happened.
        var gridId = r.GridId?.Trim();
        if (string.IsNullOrEmpty(gridId))
        {
            gridId = await grids.ResolveAsync(options.Domain, r.Longitude!.Value, r.Latitude!.Value, ct);
            if (gridId is null)
            {
                return (CaseOutcome.Invalid("longitude", "no grid of this domain contains the point"), null);
            }
        }

        var chain = await grids.GetChainAsync(gridId, ct);
        if (chain is null)
        {
            return (CaseOutcome.Invalid("gridId", $"unknown grid '{gridId}'"), null);
        }

        var path = chain.Select(l => l.GridId).Reverse().ToArray();
        if (!finder && access.RefuseOn(actor, CaseRoles.Report, path) is not null)
        {
            return (CaseOutcome.Forbidden("None of your posts may report on this grid."), null);
        }

        var c = Case.NewReport(options.Domain, category, severity, title, r.Description?.Trim() ?? "", source, gridId, path,
            r.Longitude, r.Latitude, occurred, now, actor.Subject);

        return (null, new PlacedReport(r, idempotencyKey, keyField, c, chain));
    }

    /// <summary>A finder reports only what lies in their own comprehensive grids; null when the point does.</summary>
    private async Task<CaseOutcome?> FinderPlaceAsync(double longitude, double latitude, Actor actor, CancellationToken ct)
    {
        var own = await grids.ResolveAsync(Domains.Comprehensive, longitude, latitude, ct);
        var chain = own is null ? null : await grids.GetChainAsync(own, ct);
        if (chain is null)
        {
            return CaseOutcome.Invalid("longitude", "no comprehensive grid contains the point");
        }

        return actor.May(access.Roles.Holders(CaseRoles.Report), Domains.Comprehensive, chain.Select(l => l.GridId).Reverse())
            ? null
            : CaseOutcome.Forbidden("The point lies outside your grid scope.");
    }
}

/// <summary>A report that passed every check, placed in its grid, not yet stored.</summary>
public sealed record PlacedReport(ReportCaseRequest Request, string? IdempotencyKey, string KeyField, Case Case, IReadOnlyList<GridLevel> Chain)
{
    private byte[]? _hash;

    /// <summary>SHA-256 of the report as parsed (so spacing and member order do not count), stored with its key; made only for keyed reports.</summary>
    public byte[] RequestHash => _hash ??= System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Request));
}

/// <summary>Field limits of a report and a step's body.</summary>
public static class CaseLimits
{
    public const int MaxTitle = 200;
    public const int MaxShort = 64;
    public const int MaxIdempotencyKey = 200;
}
