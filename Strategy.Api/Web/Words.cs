using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Strategy.Api.Features.Commitments;
using Strategy.Api.Web.Resources;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Api.Http;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Web;

/// <summary>
/// How the screens say things, in the screen's language (<see cref="ScreenLanguage"/>): their texts from
/// <see cref="ScreenText"/>'s resources, plain words for the service's codes, dates and figures in the language's culture.
/// </summary>
public sealed class Words(IStringLocalizer<ScreenText> text)
{
    /// <summary>The culture dates and figures are written in: the screen's language.</summary>
    public static CultureInfo Culture => ScreenLanguage.Culture(ScreenLanguage.Current);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public string this[string key] => text[key];

    /// <summary>A text with its placeholders filled: <c>{0}</c> and so on, in the order the English source gives them.</summary>
    public string this[string key, params object?[] args] => string.Format(Culture, text[key], args);

    /// <summary>A text whose resource carries markup (<c>&lt;strong&gt;</c>), its values encoded.</summary>
    public MarkupString Html(string key, params object?[] args) =>
        new(string.Format(Culture, text[key], [.. args.Select(a => WebUtility.HtmlEncode(Convert.ToString(a, Culture)))]));

    /// <summary>A text the resources may not have (an event type added later): null then, for the caller's fallback.</summary>
    private string? Maybe(string key) => text[key] is { ResourceNotFound: false } found ? found.Value : null;

    public string Date(DateOnly d) => d.ToString(this["Format.Date"], Culture);
    public string Date(DateTimeOffset t) => t.UtcDateTime.ToString(this["Format.DateTime"], Culture);
    public string Number(double v) => v.ToString("#,0.##", Culture);
    public string Percent(double ratio) => ratio.ToString("0%", Culture);
    /// <summary>The form a date field and the API take, in any language.</summary>
    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", Invariant);

    public string Status(CommitmentStatus s) => this[$"Status.{s}"];

    public string Health(Health h) => this[$"Health.{h}"];

    /// <summary>CSS class of a health badge; the words carry the meaning, the colour only repeats it.</summary>
    public static string HealthClass(Health h) => "badge health-" + Json.Kebab(h.ToString());

    public string ReportKind(Domain.Reports.ReportKind k) => this[$"ReportKind.{k}"];

    public string ReportStatus(Domain.Reports.ReportStatus s) => this[$"ReportStatus.{s}"];

    /// <summary>Health in the order a reader looks for trouble: the worst first.</summary>
    public static readonly Health[] HealthOrder =
        [Domain.Progress.Health.Overdue, Domain.Progress.Health.OffTrack, Domain.Progress.Health.AtRisk, Domain.Progress.Health.OnTrack,
         Domain.Progress.Health.Done, Domain.Progress.Health.Unknown];

    public string ValueState(ValueState s) => this[$"ValueState.{s}"];

    /// <summary>A role as the token names it (focal-point, secretariat, reviewer, admin), in words.</summary>
    public string Role(string? role) => role is null ? "" : Maybe($"Role.{role}") ?? role;

    public string Who(ActorRef a) => Who(string.IsNullOrEmpty(a.Name) ? a.Id : a.Name, a.Role, a.Country);

    public string Who(string name, string? role, string? country) =>
        country is null ? this["Who", name, Role(role)] : this["Who.Country", name, Role(role), country];

    /// <summary>The commitment's health and progress as a sentence a desk officer can act on.</summary>
    public string Explain(CommitmentDto c)
    {
        string WithUnit(double v) => c.Unit is null ? Number(v) : this["Unit", Number(v), c.Unit];
        return c.Health switch
        {
            Domain.Progress.Health.Done => this["Explain.Done"],
            Domain.Progress.Health.Overdue => this["Explain.Overdue", Date(c.Due)],
            Domain.Progress.Health.Unknown when c.Withdrawn || c.Status == CommitmentStatus.Cancelled => this["Explain.NotPursued"],
            Domain.Progress.Health.Unknown => c.Pending.Count > 0 ? this["Explain.Pending"] : this["Explain.NoValue"],
            _ => this["Explain.Measured", WithUnit(c.LatestValue!.Value), Date(c.LatestValue.AsOf), Percent(c.Progress ?? 0),
                WithUnit(c.Baseline ?? 0), WithUnit(c.Target ?? 0), Percent(c.ExpectedProgress), Date(c.Start), Date(c.Due),
                Health(c.Health).ToLower(Culture)],
        };
    }

    /// <summary>An event's stored type ("value-submitted") in words; one the resources do not name yet as "Value submitted".</summary>
    public string EventType(string type) =>
        Maybe($"Event.{type}") ?? (type.Length == 0 ? type : char.ToUpperInvariant(type[0]) + type[1..].Replace('-', ' '));

    public string Reason(WorkReason reason, string? round) => reason switch
    {
        WorkReason.NoValueThisRound => this["Reason.NoValueThisRound", round],
        _ => this[$"Reason.{reason}"],
    };

    /// <summary>What a change did, from a fixed list of codes: a link cannot make the page say anything else.</summary>
    public static readonly IReadOnlySet<string> DoneCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "status", "value", "value-accepted", "comment", "accepted", "returned", "round-opened", "deadline", "closed", "report", "made", "revised",
        "goal-added", "outcome-added", "aligned",
        "preferences",
    };

    public string? Done(string code) => DoneCodes.Contains(code) ? this[$"Done.{code}"] : null;

    /// <summary><paramref name="url"/> with <paramref name="name"/> set to <paramref name="value"/>, the rest of its query kept (the plan it shows, say).</summary>
    public static string WithQuery(string url, string name, string value)
    {
        var parts = url.Split('?', 2);
        var kept = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(parts.Length > 1 ? parts[1] : null)
            .Where(q => q.Key != name).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)));
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(parts[0], [.. kept, KeyValuePair.Create(name, (string?)value)]);
    }
}
