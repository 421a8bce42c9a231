using System.Diagnostics;
using Marten;
using Marten.Services;
using Npgsql;
using Strategy.Api.Auth;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Http;

/// <summary>
/// The database transaction of a write that must commit together with its idempotency record. When a request
/// opens one, the request's Marten session enlists in it and does not commit on SaveChanges.
/// </summary>
public sealed class RequestTransaction : IAsyncDisposable
{
    private readonly List<Action> afterCommit = [];

    public NpgsqlConnection? Connection { get; private set; }
    public NpgsqlTransaction? Transaction { get; private set; }

    /// <summary>
    /// Runs <paramref name="action"/> once what the request wrote is committed: at once outside a request transaction
    /// (the session has committed already), else after the idempotency middleware commits, and never on rollback.
    /// </summary>
    public void AfterCommit(Action action)
    {
        if (Transaction is null) action();
        else afterCommit.Add(action);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await Transaction!.CommitAsync(ct);
        foreach (var action in afterCommit) action();
        afterCommit.Clear();
    }

    public async Task BeginAsync(string connectionString, CancellationToken ct)
    {
        Connection = new NpgsqlConnection(connectionString);
        await Connection.OpenAsync(ct);
        Transaction = await Connection.BeginTransactionAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Transaction is not null) await Transaction.DisposeAsync();
        if (Connection is not null) await Connection.DisposeAsync();
        Transaction = null;
        Connection = null;
    }
}

public static class RequestSession
{
    public const string CorrelationHeader = "X-Correlation-Id";

    /// <summary>
    /// The scoped session every handler uses: stamped once with who acts (from the token), the correlation id
    /// and the causation id, so each event carries them as metadata.
    /// </summary>
    public static IDocumentSession Open(IServiceProvider sp)
    {
        var store = sp.GetRequiredService<IDocumentStore>();
        var tx = sp.GetRequiredService<RequestTransaction>();
        var session = tx.Transaction is { } t
            ? store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(t, false))
            : store.LightweightSession();

        var actor = sp.GetRequiredService<CurrentActor>().Actor;
        var http = sp.GetRequiredService<IHttpContextAccessor>().HttpContext;
        session.LastModifiedBy = actor.Id;
        session.SetHeader(ActorRef.NameHeader, actor.Name);
        session.SetHeader(ActorRef.RoleHeader, Claims.RoleName(actor.Role));
        if (actor.Country is not null) session.SetHeader(ActorRef.CountryHeader, actor.Country);
        session.CorrelationId = CorrelationId(http);
        session.CausationId = http?.TraceIdentifier;
        return session;
    }

    /// <summary>A caller-supplied X-Correlation-Id (if it is a short token), else the W3C trace id.</summary>
    public static string? CorrelationId(HttpContext? http)
    {
        var supplied = http?.Request.Headers[CorrelationHeader].ToString();
        if (!string.IsNullOrEmpty(supplied) && supplied.Length <= 64 && supplied.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            return supplied;
        // Outside a request (the demo-plan seeder, jobs) each unit of work still gets an id of its own.
        return Activity.Current?.TraceId.ToString() ?? http?.TraceIdentifier ?? $"system-{Guid.NewGuid():N}";
    }
}
