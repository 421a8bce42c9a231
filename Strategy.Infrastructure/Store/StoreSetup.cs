using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using JasperFx.Events.Daemon;
using Marten.Schema;
using Strategy.Infrastructure.Audit;
using Weasel.Core;

namespace Strategy.Infrastructure.Store;

public sealed record StoreSettings(string ConnectionString, string Schema = "strategy", bool ApplySchemaOnStartup = true,
    DaemonMode DaemonMode = DaemonMode.HotCold);

/// <summary>
/// How the store names what it writes (<see cref="StoreSetup.Configure"/> sets its serializer so), for SQL and readers
/// that take stored documents apart themselves.
/// </summary>
public static class StoredJson
{
    public static readonly JsonNamingPolicy EnumNames = JsonNamingPolicy.KebabCaseLower;

    /// <summary>A member's name in stored JSON: camelCase, as Marten's Casing.CamelCase writes it.</summary>
    public static string Member(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    /// <summary>An enum's values by their stored names, as <see cref="EnumNames"/> writes them: for SQL and readers that take stored JSON apart.</summary>
    public static IReadOnlyDictionary<string, T> ByStoredName<T>() where T : struct, Enum => StoredNames<T>.Values;

    private static class StoredNames<T> where T : struct, Enum
    {
        public static readonly Dictionary<string, T> Values = Enum.GetValues<T>().ToDictionary(v => EnumNames.ConvertName(v.ToString()));
    }
}

public static class StoreSetup
{
    /// <summary>Every projection and document the service stores, registered in one place with its lifecycle.</summary>
    public static void Configure(StoreOptions o, StoreSettings settings)
    {
        o.Connection(settings.ConnectionString);
        o.DatabaseSchemaName = settings.Schema;
        o.Events.DatabaseSchemaName = settings.Schema;
        o.AutoCreateSchemaObjects = settings.ApplySchemaOnStartup ? AutoCreate.CreateOrUpdate : AutoCreate.None;
        // Marten retries a failed command up to three times (commits have their own, narrower policy). Inside a
        // transaction such a retry cannot succeed: the transaction died with the connection, and the retry fails with
        // "Transaction is already completed", which hides the database failure (a 500 instead of a 503). Every write
        // here reads inside its transaction (the idempotency transaction, the stream's row lock, inline projections),
        // so commands are not retried: the request fails at once with 503 and Retry-After, and the caller retries it,
        // safely with an Idempotency-Key. The async daemon and Hangfire retry on their own.
        o.ConfigurePolly(_ => { });
        // Stored JSON looks exactly like the API's (camelCase, kebab-case enums), so the audit log can show and export
        // events as stored. LINQ cannot compare such enums (it would write the member name): filter on them with SQL.
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, j =>
        {
            foreach (var c in j.Converters.OfType<JsonStringEnumConverter>().ToList()) j.Converters.Remove(c);
            j.Converters.Insert(0, new JsonStringEnumConverter(StoredJson.EnumNames, allowIntegerValues: false));
        });

        // Event timestamps are taken in .NET (100 ns ticks) and stored by PostgreSQL to the microsecond, so an inline
        // view written at append time would otherwise show an instant up to 0.9 us later than the stored event (in
        // history, audit and as-of reads) and than the same view rebuilt from the events.
        o.Events.TimeProvider = new MicrosecondTimeProvider(TimeProvider.System);

        // A write loads the commitment's write model with FetchForWriting; without this, the inline projection loads the
        // same document again while saving (one more round trip and deserialization on every write). Safe here: the
        // write models are immutable records, replaced by the projection applying the events being saved.
        o.Events.UseIdentityMapForAggregates = true;

        o.Events.MetadataConfig.CorrelationIdEnabled = true;
        o.Events.MetadataConfig.CausationIdEnabled = true;
        o.Events.MetadataConfig.HeadersEnabled = true;
        o.Events.MetadataConfig.UserNameEnabled = true;

        o.Projections.Add<PlanViewProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<CommitmentStateProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<CommitmentViewProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<ValueViewProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<CommentViewProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<OverdueRecordProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<RoundStateProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<RoundViewProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<ReportViewProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<Evidence.EvidenceViewProjection>(ProjectionLifecycle.Inline);
        // Notices are written in the transaction of the event that causes them: the outbox of the mail they become.
        o.Projections.Add<Notifications.NoticeProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add(new AuditChainProjection(settings.ConnectionString, settings.Schema), ProjectionLifecycle.Async);
        // Advisory locks are per database: give each schema its own, so several stores in one database (tests,
        // tenants) each elect their own daemon leader and migrate independently.
        var lockId = SchemaLockId(settings.Schema);
        o.Projections.DaemonLockId = lockId;
        o.ApplyChangesLockId = lockId + 1;

        o.Schema.For<PlanView>().UniqueIndex(x => x.Code);
        // Commitment codes are unique within a plan; the index makes a racing duplicate fail its transaction.
        // Plan, code and country are also kept as columns (Marten fills them on every write): the audit log joins every
        // event to its commitment for them, and a view whose value history has grown past PostgreSQL's 2 kB TOAST
        // threshold would otherwise be decompressed once per event read (a page of 1,000 took 45 ms at 1M events).
        o.Schema.For<CommitmentView>()
            .UniqueIndex(UniqueIndexType.Computed, "uix_commitment_plan_code", x => x.State.PlanCode, x => x.State.Code)
            .Duplicate(x => x.State.PlanCode)
            .Duplicate(x => x.State.Country)
            .Duplicate(x => x.State.Code);
        // The review queue (submitted values, oldest first), a commitment's values, and a round's values. The partial
        // indexes' predicates are the queries' own, which name the table's alias (d); an index names the table itself.
        static string OnTable(string predicate) => predicate.Replace("d.data", "data");
        var awaitingReview = OnTable(Values.ValueReads.AwaitingReview);
        o.Schema.For<ValueView>()
            .Duplicate(x => x.CommitmentId)
            .Duplicate(x => x.Round)
            .Index(x => x.SubmittedAt, i => i.Predicate = awaitingReview)
            // Values awaiting review by round: those of rounds past their deadline (WorkBacklog, read for the metrics).
            .Index(x => x.Round, i =>
            {
                i.Name = "mt_doc_valueview_idx_submitted_round";
                i.Predicate = awaitingReview;
            })
            // A country's values awaiting correction (its home screen's worklist): ValueReads.ReturnedOpen.
            .Index(x => x.SubmittedAt, i =>
            {
                i.Name = "mt_doc_valueview_idx_returned_open";
                i.Predicate = OnTable(Values.ValueReads.ReturnedOpen);
            });
        o.Schema.For<CommentView>().Duplicate(x => x.CommitmentId);
        o.Schema.For<RoundView>()
            .UniqueIndex(UniqueIndexType.Computed, "uix_round_plan_code", x => x.State.Plan, x => x.State.Code)
            .Duplicate(x => x.State.Plan);
        o.Events.IgnoreIndex(AuditIndexes.EventsByType.Name);
        o.Schema.For<CommitmentView>().IgnoreIndex(AuditIndexes.CommitmentStream.Name);

        o.Schema.For<IdempotencyRecord>();
        o.Schema.For<AuditLink>();
        o.Schema.For<Audit.StoredCheckpoint>().Index(x => x.Sequence);
        o.Storage.ExtendedSchemaObjects.Add(Reports.ReportContentStore.Table(settings.Schema));
        o.Storage.ExtendedSchemaObjects.Add(Evidence.EvidenceStore.Table(settings.Schema));
        o.Schema.For<AuditChainHead>();
        o.Schema.For<DataProtectionKey>();
        o.Schema.For<Notifications.ContactDocument>();
        o.Schema.For<Notifications.Notice>();
        // Mails not yet sent are few beside those sent (kept as the record of what went out): the dispatcher's query and
        // the counts of /health/ready and the metrics read this index, not the whole table.
        o.Schema.For<Notifications.OutboxMail>().Index(x => x.NextAttemptAt, i => i.Predicate = "data->>'sentAt' is null");
    }

    public static int SchemaLockId(string schema) =>
        BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("strategy:" + schema))) & 0x3FFFFFF0;

    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddStrategyStore(this IServiceCollection services, StoreSettings settings)
    {
        var marten = services.AddMarten(o => Configure(o, settings)).UseLightweightSessions()
            .AddAsyncDaemon(settings.DaemonMode);
        if (settings.ApplySchemaOnStartup)
        {
            marten.ApplyAllDatabaseChangesOnStartup();
            // Registered after Marten's own start-up work, so it runs once Marten's tables exist.
            services.AddHostedService<SchemaExtrasOnStartup>();
        }
        return marten;
    }

    /// <summary>The whole schema: Marten's, then what we add to its tables (the `migrate` command).</summary>
    public static async Task ApplySchemaAsync(IDocumentStore store, StoreSettings settings, CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await ApplyExtrasAsync(settings, ct);
    }

    /// <summary>Our indexes on Marten's tables, and the report contents' compression: what Marten's schema step cannot say.</summary>
    private static async Task ApplyExtrasAsync(StoreSettings settings, CancellationToken ct)
    {
        await ExtraIndex.EnsureAsync(settings.ConnectionString, settings.Schema, AuditIndexes.All, ct);
        await Reports.ReportContentStore.EnsureCompressionAsync(settings.ConnectionString, settings.Schema, ct);
    }

    private sealed class SchemaExtrasOnStartup(StoreSettings settings) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken ct) => ApplyExtrasAsync(settings, ct);

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}

/// <summary>
/// The indexes the audit log reads a page of one type and country by, in sequence order: the first gives one type's
/// events in order without reading their rows, the second answers "which plan, commitment and country is this stream"
/// from the index too. Without them a page of one type and country at 1M events read up to 770,000 event rows and took
/// 100-450 ms in SQL; with them 10-22 ms (EXPLAIN ANALYZE; docs/benchmarks.md).
/// </summary>
public static class AuditIndexes
{
    public static readonly ExtraIndex EventsByType = new("mt_events", "ix_mt_events_type_seq", "(type, seq_id) include (stream_id)");

    public static readonly ExtraIndex CommitmentStream = new("mt_doc_commitmentview", "ix_commitmentview_stream",
        $"(id) include ({CommitmentColumns.Country}, {CommitmentColumns.PlanCode}, {CommitmentColumns.Code})");

    public static readonly IReadOnlyList<ExtraIndex> All = [EventsByType, CommitmentStream];
}
