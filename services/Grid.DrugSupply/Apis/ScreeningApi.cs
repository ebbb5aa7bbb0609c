using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 快检车 抽验初筛: samples taken at supply points and screened on the spot; a suspicious one is a case and goes to the lab.
/// A fake or substandard drug confirmed by the lab (假劣药品) is a major case at the top at once, the joint action group is
/// summoned (吹哨), and the batch is blocked at every point that received it (控制/召回, a list per point).
/// </summary>
public static class ScreeningApi
{
    public sealed record PurchaseRequest(
        string? Product, string? BatchNumber, string? Manufacturer, int? Quantity, string? Supplier, string? InvoiceNumber, DateOnly? ReceivedOn);

    public sealed record SampleRequest(Guid? PointId, string? Product, string? BatchNumber, string? Manufacturer, DateTimeOffset? SampledAt, ScreeningResult? Result);

    public sealed record LabResultRequest(LabVerdict? Verdict, string? Report);

    public static RouteGroupBuilder MapScreeningApi(this RouteGroupBuilder api)
    {
        api.MapPost("/points/{id:guid}/purchases", Purchase).WithSummary("购进验收记录: a batch the point received (where a batch found fake must be blocked).");
        api.MapGet("/points/{id:guid}/purchases", Purchases);
        api.MapPost("/samples", TakeSample).WithSummary("抽验: a rapid-screening sample; a suspicious one opens a screening case for the lab.");
        api.MapGet("/samples/{id:guid}", GetSample);
        api.MapPost("/samples/{id:guid}/lab-result", LabResult)
            .WithSummary("检验结论: fake or substandard → a major case at the top, the joint group summoned, the batch blocked at every holding point.");
        api.MapGet("/points/{id:guid}/recalls", Recalls).WithSummary("控制/召回清单: the blocked batches a point must take off sale.");
        return api;
    }

    private static async Task<IResult> Purchase(Guid id, PurchaseRequest? req, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Keepers) is { } denied)
        {
            return denied;
        }

        var point = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (point is null)
        {
            return GridProblems.NotFound("Supply point", id);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Keepers, point.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        var errors = Batch(req?.Product, req?.BatchNumber, req?.Manufacturer);
        Require(errors, "supplier", req?.Supplier, 200);
        if (req?.Quantity is not (> 0 and <= 1_000_000))
        {
            errors["quantity"] = ["is required, 1 to 1,000,000"];
        }

        if (req?.ReceivedOn is { } on && on > DrugsDay.Today(time))
        {
            errors["receivedOn"] = ["must not be in the future"];
        }

        if (req?.InvoiceNumber is { Length: > 64 })
        {
            errors["invoiceNumber"] = ["must be at most 64 characters"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var purchase = new Purchase
        {
            Id = Guid.CreateVersion7(),
            PointId = id,
            Product = req!.Product!.Trim(),
            BatchNumber = req.BatchNumber!.Trim(),
            Manufacturer = req.Manufacturer!.Trim(),
            Quantity = req.Quantity!.Value,
            Supplier = req.Supplier!.Trim(),
            InvoiceNumber = req.InvoiceNumber?.Trim(),
            ReceivedOn = req.ReceivedOn ?? DrugsDay.Today(time),
            RecordedAt = time.GetUtcNow(),
        };
        db.Purchases.Add(purchase);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/drugs/v1/points/{id}/purchases/{purchase.Id}", purchase);
    }

    private static async Task<IResult> Purchases(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(p => p.Id == id, ct))
        {
            return GridProblems.NotFound("Supply point", id);
        }

        return TypedResults.Ok(await db.Purchases.AsNoTracking().Where(p => p.PointId == id).OrderByDescending(p => p.ReceivedOn).Take(500).ToListAsync(ct));
    }

    private static async Task<IResult> TakeSample(SampleRequest? req, HttpContext h, DrugsDbContext db, Screening screening, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, DrugRoles.Authorities) is { } denied)
        {
            return denied;
        }

        var errors = Batch(req?.Product, req?.BatchNumber, req?.Manufacturer);
        SupplyPoint? point = null;
        if (req?.PointId is not { } pointId)
        {
            errors["pointId"] = ["is required"];
        }
        else if ((point = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == pointId, ct)) is null)
        {
            errors["pointId"] = [$"no supply point {pointId} in your scope"];
        }

        if (req?.Result is not { } result || !Enum.IsDefined(result))
        {
            errors["result"] = ["is required: Pass or Suspicious"];
        }

        var now = time.GetUtcNow();
        if (req?.SampledAt > now.AddMinutes(5))
        {
            errors["sampledAt"] = ["must not be in the future"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Authorities, point!.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        var sample = new Sample
        {
            Id = Guid.CreateVersion7(now),
            PointId = point.Id,
            Product = req!.Product!.Trim(),
            BatchNumber = req.BatchNumber!.Trim(),
            Manufacturer = req.Manufacturer!.Trim(),
            SampledBy = user.Subject(),
            SampledAt = (req.SampledAt ?? now).ToUniversalTime(),
            Screening = req.Result!.Value,
            GridId = point.GridId,
            GridPath = point.GridPath,
        };
        if (sample.Screening == ScreeningResult.Pass)
        {
            db.Samples.Add(sample);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/drugs/v1/samples/{sample.Id}", sample);
        }

        var opened = await screening.ScreenAsync(sample, point, CaseworkBridge.ActorOf(h), h.Request.Headers["Idempotency-Key"].FirstOrDefault(), ct);
        return CaseworkBridge.Ok(opened)
            ? TypedResults.Created($"/api/drugs/v1/samples/{sample.Id}", sample)
            : CaseworkBridge.Problem(opened);
    }

    private static async Task<IResult> GetSample(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var sample = await DrugsAccess.Scoped(db.Samples.AsNoTracking(), user, s => s.GridPath).FirstOrDefaultAsync(s => s.Id == id, ct);
        return sample is null ? GridProblems.NotFound("Sample", id) : TypedResults.Ok(sample);
    }

    private static async Task<IResult> LabResult(
        Guid id, LabResultRequest? req, HttpContext h, DrugsDbContext db, Screening screening, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, DrugRoles.Authorities) is { } denied)
        {
            return denied;
        }

        var sample = await DrugsAccess.Scoped(db.Samples.AsNoTracking(), user, s => s.GridPath).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (sample is null)
        {
            return GridProblems.NotFound("Sample", id);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Authorities, sample.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        if (req?.Verdict is not { } verdict || !Enum.IsDefined(verdict))
        {
            return GridProblems.Invalid("verdict", "is required: Genuine, Fake or Substandard");
        }

        if (req.Report is { Length: > 1000 })
        {
            return GridProblems.Invalid("report", "must be at most 1000 characters");
        }

        if (sample.Verdict is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already confirmed",
                detail: $"The lab's verdict on this sample is on record: {sample.Verdict}.");
        }

        var now = time.GetUtcNow();
        if (verdict == LabVerdict.Genuine)
        {
            await db.Samples.Where(s => s.Id == id && s.Verdict == null).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Verdict, verdict).SetProperty(x => x.LabReport, req.Report).SetProperty(x => x.ConfirmedAt, now), ct);
            return TypedResults.Ok(new { sampleId = id, verdict, majorCase = (object?)null, summons = Array.Empty<object>(), blockedAt = Array.Empty<Guid>() });
        }

        var (opened, major, summons, recalls) = await screening.ConfirmAsync(sample, verdict, req.Report, CaseworkBridge.ActorOf(h), ct);
        if (major is null)
        {
            return CaseworkBridge.Problem(opened);
        }

        return TypedResults.Ok(new
        {
            sampleId = id,
            verdict,
            majorCase = new { id = major.Id, number = major.Number, severity = major.Severity, holderGridId = major.HolderGridId },
            summons,
            blockedAt = recalls.Select(r => r.PointId),
        });
    }

    private static async Task<IResult> Recalls(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(p => p.Id == id, ct))
        {
            return GridProblems.NotFound("Supply point", id);
        }

        return TypedResults.Ok(await db.Recalls.AsNoTracking().Where(r => r.PointId == id).OrderByDescending(r => r.BlockedAt).Take(500).ToListAsync(ct));
    }

    private static Dictionary<string, List<string>> Batch(string? product, string? batchNumber, string? manufacturer)
    {
        var errors = new Dictionary<string, List<string>>();
        Require(errors, "product", product, 200);
        Require(errors, "batchNumber", batchNumber, 64);
        Require(errors, "manufacturer", manufacturer, 200);
        return errors;
    }

    private static void Require(Dictionary<string, List<string>> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = ["is required"];
        }
        else if (value.Length > max)
        {
            errors[field] = [$"must be at most {max} characters"];
        }
    }
}
