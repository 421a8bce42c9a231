using JasperFx;
using Mediator;
using Microsoft.AspNetCore.Components;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Domain;

namespace Strategy.Api.Web;

/// <summary>
/// What a refused form shows: each field's message next to the field, the rest above the form. The texts are the
/// API's, from the same mapping (<see cref="ProblemExceptionHandler.Map"/>).
/// </summary>
public sealed class FormErrors
{
    private readonly Dictionary<string, string> fields = new(StringComparer.Ordinal);

    public string? Summary { get; private set; }
    public int Status { get; private set; }

    /// <summary>Refused because what the form was read at changed meanwhile: a form sent again should carry the version now shown.</summary>
    public bool Stale { get; private set; }

    public string? this[string field] => fields.GetValueOrDefault(field);
    public bool Any => Summary is not null || fields.Count > 0;

    public FormErrors Field(string field, string message)
    {
        fields.TryAdd(field, message);
        Status = StatusCodes.Status400BadRequest;
        return this;
    }

    /// <summary>Everything said about the form as the message of one field (an upload refused for its file, say).</summary>
    public FormErrors AsField(string field)
    {
        var moved = new FormErrors { Status = Status };
        moved.fields[field] = Summary ?? fields.Values.FirstOrDefault() ?? "";
        return moved;
    }

    public static FormErrors From(Exception exception, Words words, IEnumerable<string> formFields)
    {
        var errors = new FormErrors();
        if (exception is ConcurrencyException)
        {
            // The version the form was read at is no longer current: someone changed the same thing meanwhile.
            errors.Summary = words["Form.ChangedMeanwhile"];
            errors.Status = StatusCodes.Status409Conflict;
            errors.Stale = true;
            return errors;
        }
        var (status, title, detail, byField) = ProblemExceptionHandler.Map(exception, conditional: false, acceptsBody: false);
        errors.Status = status;
        // A conflict one input causes (a code already taken) belongs next to that input too; the API's 409 says it in its detail.
        if (byField is null && exception is RejectedException { Rejection: { Kind: RejectionKind.Conflict, Field: { } conflicting } })
            byField = new() { [conflicting] = [detail] };
        var known = formFields.ToHashSet(StringComparer.Ordinal);
        foreach (var (field, messages) in byField ?? [])
        {
            // A form with a field of that exact name ("indicators[0].unit") shows it there; else "evidence[0]" is about the
            // evidence field; a field the form does not have is said above it.
            var name = known.Contains(field) ? field : field.Split('[', '.')[0];
            if (known.Contains(name)) errors.fields.TryAdd(name, messages[0]);
            else errors.Summary = $"{field}: {messages[0]}";
        }
        if (byField is null) errors.Summary = status == StatusCodes.Status403Forbidden ? words["Form.NotAllowed", detail] : detail;
        else if (errors.fields.Count > 0 && errors.Summary is null) errors.Summary = words["Form.CorrectFields"];
        return errors;
    }
}

/// <summary>A screen: the signed-in caller, the mediator, and forms that send a command and show why it was refused.</summary>
public abstract class Screen : ComponentBase
{
    [CascadingParameter] public HttpContext Http { get; set; } = null!;
    [Inject] protected IMediator Mediator { get; set; } = null!;
    [Inject] protected NavigationManager Navigation { get; set; } = null!;
    [Inject] protected TimeProvider Clock { get; set; } = null!;
    [Inject] protected Words Words { get; set; } = null!;

    protected Actor Actor => CurrentActor.From(Http.User);

    protected CancellationToken Aborted => Http.RequestAborted;

    /// <summary>
    /// Sends a form's command. Refused (the same 4xx the API would answer): the page answers that status and the
    /// errors are shown where they belong. Anything else is the service's fault and goes to the error handler.
    /// </summary>
    protected async Task<FormErrors?> TrySend(Func<CancellationToken, Task> send, params string[] formFields)
    {
        try
        {
            await send(Aborted);
            return null;
        }
        catch (Exception e) when (e is not NavigationException && Refusal(e))
        {
            var errors = FormErrors.From(e, Words, formFields);
            Http.Response.StatusCode = errors.Status;
            return errors;
        }
    }

    private bool Refusal(Exception e) => e is ConcurrencyException || ProblemExceptionHandler.Map(e, conditional: false, acceptsBody: false).Status is >= 400 and < 500;

    /// <summary>A read that may find nothing: not found (or not allowed) answers that status and a page saying so.</summary>
    protected async Task<T?> TryRead<T>(Func<CancellationToken, ValueTask<T>> read) where T : class
    {
        try
        {
            return await read(Aborted);
        }
        catch (RejectedException e) when (e.Rejection.Kind is RejectionKind.NotFound or RejectionKind.Forbidden or RejectionKind.Validation)
        {
            Http.Response.StatusCode = e.Rejection.Kind switch
            {
                RejectionKind.NotFound => StatusCodes.Status404NotFound,
                RejectionKind.Forbidden => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status400BadRequest,
            };
            Problem = e.Message;
            return null;
        }
    }

    /// <summary>The plan asked for, or the first (most installations track one); null, with the page saying why, when there is none.</summary>
    protected async Task<Features.Plans.PlanSummary?> ChoosePlanAsync(string? code)
    {
        var (plans, _) = await Mediator.Send(new Features.Plans.ListPlans(1, 1000), Aborted);
        var plan = plans.FirstOrDefault(p => p.Code == code) ?? plans.FirstOrDefault();
        if (plan is null) Problem = Words["Screen.NoPlan"];
        return plan;
    }

    /// <summary>
    /// After a refusal the page shows the latest state (<paramref name="reload"/> reads it and answers its version); a form
    /// refused as stale then carries that version, so that sending it again, once checked, is taken.
    /// </summary>
    protected static async Task ShowLatestAsync(FormErrors errors, Func<Task<long?>> reload, Action<long> takeVersion)
    {
        var version = await reload();
        if (errors.Stale && version is { } v) takeVersion(v);
    }

    /// <summary>An optional text left empty is sent as absent, as a client of the API would leave it out.</summary>
    protected static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>A date field (yyyy-MM-dd, as date inputs send it); empty or unreadable is said next to the field.</summary>
    protected DateOnly? DateField(FormErrors errors, string field, string? text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date)) return date;
        errors.Field(field, Words["Form.EnterDate"]);
        return null;
    }

    /// <summary>
    /// A number field (a point before any decimals, as the API takes numbers); unreadable, or empty unless
    /// <paramref name="optional"/>, is said next to the field. Empty and optional is absent.
    /// </summary>
    protected double? NumberField(FormErrors errors, string field, string? text, bool optional = false)
    {
        if (optional && string.IsNullOrWhiteSpace(text)) return null;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)) return number;
        errors.Field(field, Words["Form.EnterNumber"]);
        return null;
    }

    /// <summary>Why the page has nothing to show, when a read found nothing.</summary>
    protected string? Problem { get; set; }

    /// <summary>After a change: load the page again (a fresh GET), so a reload never sends the form twice.</summary>
    protected void Done(string url, string what) => Navigation.NavigateTo(Words.WithQuery(url, "done", what));

    /// <summary>What the last change did, from a fixed list (<see cref="Words.DoneCodes"/>).</summary>
    protected string? DoneMessage => Words.Done(Http.Request.Query["done"].ToString());
}
