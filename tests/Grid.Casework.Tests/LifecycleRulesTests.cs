using Grid.Casework.Domain;

namespace Grid.Casework.Tests;

/// <summary>The pure state machine: every legal step lands where docs/domain.md §4 says; everything else is refused.</summary>
public class LifecycleRulesTests
{
    public static TheoryData<CaseState, CaseAction, CaseState> Legal() => new()
    {
        { CaseState.Reported, CaseAction.Accept, CaseState.Accepted },
        { CaseState.Reported, CaseAction.Reject, CaseState.Rejected },
        { CaseState.Accepted, CaseAction.Dispatch, CaseState.Dispatched },
        { CaseState.Dispatched, CaseAction.Start, CaseState.Handling },
        { CaseState.Handling, CaseAction.Handle, CaseState.Handled },
        { CaseState.Handled, CaseAction.VerifyPass, CaseState.Verified },
        { CaseState.Handled, CaseAction.VerifyFail, CaseState.Reopened },
        { CaseState.Reopened, CaseAction.Start, CaseState.Handling },
        { CaseState.Verified, CaseAction.Close, CaseState.Closed },
        { CaseState.Handling, CaseAction.Escalate, CaseState.Escalated },
        { CaseState.Escalated, CaseAction.Dispatch, CaseState.Dispatched },
        { CaseState.Accepted, CaseAction.Transfer, CaseState.Transferred },
        { CaseState.Transferred, CaseAction.TransferResolved, CaseState.Handled },
        { CaseState.Transferred, CaseAction.TransferRefused, CaseState.Handling },
    };

    [Theory]
    [MemberData(nameof(Legal))]
    public void Legal_steps_reach_their_state(CaseState from, CaseAction action, CaseState to)
    {
        var r = CaseLifecycle.Apply(from, action);
        Assert.True(r.Legal);
        Assert.Equal(to, r.To);
    }

    [Fact]
    public void Every_pair_outside_the_table_is_refused_naming_state_and_action()
    {
        var legal = CaseLifecycle.Transitions.Select(t => (t.From, t.Action)).ToHashSet();
        var refused = 0;
        foreach (var s in Enum.GetValues<CaseState>())
        {
            foreach (var a in Enum.GetValues<CaseAction>())
            {
                var r = CaseLifecycle.Apply(s, a);
                Assert.Equal(legal.Contains((s, a)), r.Legal);
                if (!r.Legal)
                {
                    refused++;
                    Assert.Equal(s, r.To);
                    Assert.Contains($"'{CaseNames.Of(s)}'", r.Reason);
                    Assert.Contains($"'{CaseNames.Of(a)}'", r.Reason);
                }
            }
        }

        Assert.True(refused > 100, $"only {refused} refusals");
    }

    [Fact]
    public void Finished_cases_allow_nothing()
    {
        Assert.Empty(CaseLifecycle.AllowedFrom(CaseState.Closed));
        Assert.Empty(CaseLifecycle.AllowedFrom(CaseState.Rejected));
        Assert.True(CaseLifecycle.IsTerminal(CaseState.Closed));
    }

    [Fact]
    public void Roles_default_to_the_texts_and_admin_cannot_read_reporters()
    {
        var roles = new CaseRoles();
        Assert.Contains("grid-chief", roles.Holders("accept"));
        Assert.DoesNotContain("grid-worker", roles.Holders("accept"));
        Assert.Contains("grid-worker", roles.Holders("handle"));
        Assert.Contains("admin", roles.Holders("close"));
        Assert.DoesNotContain("admin", roles.Holders(CaseRoles.ReadReporter));
        Assert.Contains("reward-centre", roles.Holders(CaseRoles.ReadReporter));
        var custom = new CaseRoles(new Dictionary<string, string[]> { ["accept"] = ["duty-officer"] });
        Assert.Contains("duty-officer", custom.Holders("accept"));
        Assert.DoesNotContain("grid-chief", custom.Holders("accept"));
    }

    [Fact]
    public void Deadline_policy_prefers_the_most_specific_rule()
    {
        var policy = new DeadlinePolicy([
            new DeadlineRule { Category = "hazard", HandleWithin = TimeSpan.FromDays(10) },
            new DeadlineRule { Category = "hazard", Severity = "serious", HandleWithin = TimeSpan.FromDays(2) },
        ]);
        Assert.Equal(TimeSpan.FromDays(7), policy.For("other", "general").HandleWithin);
        Assert.Equal(TimeSpan.FromDays(10), policy.For("hazard", "general").HandleWithin);
        Assert.Equal(TimeSpan.FromDays(2), policy.For("hazard", "serious").HandleWithin);
        Assert.Equal(TimeSpan.FromHours(4), policy.For("hazard", "serious").AcceptWithin);
        Assert.Equal(TimeSpan.FromHours(1), policy.For("x", "major").AcceptWithin);
    }

    [Fact]
    public void Case_numbers_use_the_local_day_and_four_digits()
    {
        var at = new DateTimeOffset(2026, 11, 22, 17, 30, 0, TimeSpan.Zero); // 01:30 on the 23rd in China
        Assert.Equal("FIRE-20261123-0042", CaseNumber.Format("fire", CaseNumber.LocalDay(at), 42));
    }

    [Fact]
    public void Offline_reports_keep_their_time_within_limits()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Null(OfflineReportPolicy.Check(now.AddDays(-3), now, TimeSpan.FromDays(30)));
        Assert.NotNull(OfflineReportPolicy.Check(now.AddHours(1), now, TimeSpan.FromDays(30)));
        Assert.NotNull(OfflineReportPolicy.Check(now.AddDays(-31), now, TimeSpan.FromDays(30)));
    }
}
