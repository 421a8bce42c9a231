using System.Globalization;
using Strategy.Api.Features.Commitments;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Api.Http;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Web;

/// <summary>How the screens say things: plain words for the service's codes, dates and figures.</summary>
public static class Words
{
    private static readonly CultureInfo En = CultureInfo.InvariantCulture;

    public static string Date(DateOnly d) => d.ToString("d MMM yyyy", En);
    public static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", En);
    public static string Number(double v) => v.ToString("#,0.##", En);
    public static string Percent(double ratio) => ratio.ToString("0%", En);
    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", En);

    public static string Status(CommitmentStatus s) => s switch
    {
        CommitmentStatus.NotStarted => "Not started",
        CommitmentStatus.InProgress => "In progress",
        CommitmentStatus.OnHold => "On hold",
        CommitmentStatus.Completed => "Completed",
        CommitmentStatus.Cancelled => "Cancelled",
        _ => s.ToString(),
    };

    public static string Health(Health h) => h switch
    {
        Domain.Progress.Health.OnTrack => "On track",
        Domain.Progress.Health.AtRisk => "At risk",
        Domain.Progress.Health.OffTrack => "Off track",
        Domain.Progress.Health.Overdue => "Overdue",
        Domain.Progress.Health.Done => "Done",
        _ => "Not known yet",
    };

    /// <summary>CSS class of a health badge; the words carry the meaning, the colour only repeats it.</summary>
    public static string HealthClass(Health h) => "badge health-" + Json.Kebab(h.ToString());

    public static string ReportKind(Domain.Reports.ReportKind k) => k switch
    {
        Domain.Reports.ReportKind.Progress => "Progress",
        Domain.Reports.ReportKind.SdgAlignment => "SDG alignment",
        _ => k.ToString(),
    };

    public static string ReportStatus(Domain.Reports.ReportStatus s) => s switch
    {
        Domain.Reports.ReportStatus.Queued => "Waiting to start",
        Domain.Reports.ReportStatus.Running => "Being computed",
        Domain.Reports.ReportStatus.Succeeded => "Ready",
        Domain.Reports.ReportStatus.Failed => "Failed",
        _ => s.ToString(),
    };

    /// <summary>Health in the order a reader looks for trouble: the worst first.</summary>
    public static readonly Health[] HealthOrder =
        [Domain.Progress.Health.Overdue, Domain.Progress.Health.OffTrack, Domain.Progress.Health.AtRisk, Domain.Progress.Health.OnTrack,
         Domain.Progress.Health.Done, Domain.Progress.Health.Unknown];

    public static string ValueState(ValueState s) => s switch
    {
        Domain.Commitments.ValueState.Submitted => "Waiting for review",
        Domain.Commitments.ValueState.Accepted => "Accepted",
        Domain.Commitments.ValueState.Returned => "Returned for correction",
        Domain.Commitments.ValueState.Retracted => "Taken back",
        Domain.Commitments.ValueState.Voided => "Voided",
        _ => s.ToString(),
    };

    public static string Role(string? role) => role switch
    {
        "focal-point" => "focal point",
        null => "",
        _ => role,
    };

    public static string Who(ActorRef a) =>
        $"{(string.IsNullOrEmpty(a.Name) ? a.Id : a.Name)} ({Role(a.Role)}{(a.Country is null ? "" : ", " + a.Country)})";

    /// <summary>The commitment's health and progress as a sentence a desk officer can act on.</summary>
    public static string Explain(CommitmentDto c)
    {
        var unit = c.Unit is null ? "" : " " + c.Unit;
        var expected = Percent(c.ExpectedProgress);
        return c.Health switch
        {
            Domain.Progress.Health.Done => "Completed.",
            Domain.Progress.Health.Overdue => $"The due date, {Date(c.Due)}, has passed and the commitment is not completed.",
            Domain.Progress.Health.Unknown when c.Withdrawn || c.Status == CommitmentStatus.Cancelled => "No longer pursued, so no health is given.",
            Domain.Progress.Health.Unknown => c.Pending.Count > 0
                ? "No accepted value yet: the value sent is waiting for the secretariat's review, and counts once accepted."
                : "No value has been reported yet, so progress cannot be measured.",
            _ => $"The latest accepted value, {Number(c.LatestValue!.Value)}{unit} on {Date(c.LatestValue.AsOf)}, is {Percent(c.Progress ?? 0)} of the way " +
                 $"from the baseline {Number(c.Baseline ?? 0)}{unit} to the target {Number(c.Target ?? 0)}{unit}. By today {expected} would be expected " +
                 $"(a straight line from {Date(c.Start)} to {Date(c.Due)}), so it is {Health(c.Health).ToLowerInvariant()}.",
        };
    }

    /// <summary>"value-submitted" as "Value submitted".</summary>
    public static string EventType(string type) => type.Length == 0 ? type : char.ToUpperInvariant(type[0]) + type[1..].Replace('-', ' ');

    public static string Reason(WorkReason reason, string? round) => reason switch
    {
        WorkReason.NoValueThisRound => $"No value sent for round {round} yet.",
        WorkReason.Returned => "A value was returned for correction: read the comment and send a corrected value.",
        WorkReason.Overdue => "Overdue: the due date has passed and it is not completed.",
        WorkReason.OffTrack => "Off track: progress is well behind what is expected by now.",
        _ => reason.ToString(),
    };

    public static readonly IReadOnlyDictionary<string, string> Done = new Dictionary<string, string>
    {
        ["status"] = "The status was changed.",
        ["value"] = "The value was sent. It waits for the secretariat's review before it counts.",
        ["value-accepted"] = "The value was recorded and counts at once.",
        ["comment"] = "Your comment was added to the thread.",
        ["accepted"] = "The value was accepted: it now counts in the official figures.",
        ["returned"] = "The value was returned with your comment.",
        ["round-opened"] = "The round was opened.",
        ["deadline"] = "The deadline was moved.",
        ["closed"] = "The round was closed.",
        ["report"] = "The report was requested.",
        ["made"] = "The commitment was made. Send its first value when there is one.",
        ["revised"] = "The terms were revised; the reason is in the history.",
    };

    public static string WithQuery(string url, string name, string value)
    {
        var path = url.Split('?')[0];
        return $"{path}?{name}={Uri.EscapeDataString(value)}";
    }
}
