using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Application;

/// <summary>
/// 超期督办: finds steps past their deadline, records whose deadline it was (<see cref="CaseDeadlineBreached"/>
/// and a breach row) and escalates the case one level up its grid chain (<see cref="CaseEscalated"/>, reason
/// overdue); finds summoned departments that missed their report-for-duty time. Runs on the injected
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
public sealed class DeadlineScheduler(
    CaseworkDatabase db,
    CaseClock clock,
    CaseEscalation escalation,
    DeadlinePolicy deadlines,
    IGridDirectory grids,
    CaseworkOptions options,
    TimeProvider time,
    ILogger<DeadlineScheduler> logger) : BackgroundService
{
    private readonly SemaphoreSlim _scan = new(1, 1);

    /// <summary>Completed scans (tests wait for the next one after moving the clock).</summary>
    public long Scans { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.SchedulerInterval, time, stoppingToken);
                try
                {
                    await ScanAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or Grpc.Core.RpcException)
                {
                    logger.LogWarning("Deadline scan failed, retried next interval: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over overdue steps and missed summons; returns how many breaches it recorded.</summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        await _scan.WaitAsync(ct);
        try
        {
            var breaches = 0;
            int found;
            do
            {
                found = 0;
                var now = clock.Now();
                await using var tx = await db.BeginAsync(ct);
                foreach (var c in await CaseRepository.OverdueAsync(tx, now, 100, ct))
                {
                    found++;
                    breaches += await BreachAsync(tx, c, now, ct);
                }

                breaches += await MissedSummonsAsync(tx, now, ct);
                await tx.CommitAsync(ct);
            }
            while (found == 100);

            Scans++;
            return breaches;
        }
        finally
        {
            _scan.Release();
        }
    }

    private async Task<int> BreachAsync(CaseworkTransaction tx, Case c, DateTimeOffset now, CancellationToken ct)
    {
        var step = c.Step ?? CaseSteps.Handle;
        var deadline = c.StepDeadline!.Value;
        var chain = await grids.GetChainAsync(c.HolderGridId, ct);
        var responsible = step switch
        {
            CaseSteps.Transfer => $"domain:{c.TransferDomain}",
            CaseSteps.Handle when !string.IsNullOrEmpty(c.Assignee) => c.Assignee!,
            _ => chain?.FirstOrDefault()?.Chief() ?? $"grid:{c.HolderGridId}",
        };
        var recorded = await CaseRepository.RecordBreachAsync(tx, c.Id, step, deadline, responsible, c.HolderGridId, now, ct);
        var breached = c.Breach(step, deadline, responsible, now);
        if (recorded)
        {
            tx.Publish(breached);
            tx.Audit(c.Id, "system", $"deadline-breached:{step}", "scheduler", null, new { step, deadline, responsible, responsibleGridId = c.HolderGridId });
        }

        if (step == CaseSteps.Transfer)
        {
            // The other domain owes the result; escalating our own holder would not hurry it.
            c.StopTransferDeadline(now);
            await CaseRepository.UpdateAsync(tx, c, ct);
        }
        else if (chain is { Count: > 1 })
        {
            await escalation.EscalateAsync(tx, c, chain, 1, EscalationReasons.Overdue, Actor.System("scheduler"), now, ct);
        }
        else
        {
            // At the top already: remind again after another full allowance.
            c.RemindAgain(step, deadlines.For(c.Category, c.Severity), now);
            await CaseRepository.UpdateAsync(tx, c, ct);
        }

        logger.LogInformation("Case {Number} missed its {Step} deadline {Deadline:O}", c.Number, step, deadline);
        return recorded ? 1 : 0;
    }

    private async Task<int> MissedSummonsAsync(CaseworkTransaction tx, DateTimeOffset now, CancellationToken ct)
    {
        var missed = await SummonsRepository.MissedAsync(tx, now, 100, ct);
        var count = 0;
        foreach (var s in missed)
        {
            await SummonsRepository.MarkBreachedAsync(tx, s.Id, ct);

            var c = await CaseRepository.GetAsync(tx, s.CaseId, false, ct);
            if (c is null)
            {
                continue;
            }

            var responsible = $"department:{s.Department}";
            if (await CaseRepository.RecordBreachAsync(tx, c.Id, CaseSteps.ReportForDuty, s.ReportBy, responsible, c.HolderGridId, now, ct))
            {
                count++;
                tx.Publish(c.Stamp(new CaseDeadlineBreached { Step = CaseSteps.ReportForDuty, Deadline = s.ReportBy, Responsible = responsible, ResponsibleGridId = c.HolderGridId }, now));
                tx.Audit(c.Id, "system", $"deadline-breached:{CaseSteps.ReportForDuty}", "scheduler", null, new { summonsId = s.Id, department = s.Department, reportBy = s.ReportBy });
            }
        }

        return count;
    }
}
