using System.Net.Http.Headers;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Strategy.Client;
using Strategy.Client.Models;
using Strategy.Tests.Domain;

namespace Strategy.Tests.Api;

/// <summary>
/// The README's tour, walked through the client Kiota generates from docs/openapi.json at build time (Strategy.Client):
/// typed calls only, no JSON by hand. A contract that leaves out a response's schema, makes an optional member
/// required or declares a number as a string breaks this test at compile time or on the first call.
/// </summary>
public sealed class GeneratedClientTests(DemoPlanFactory api) : IClassFixture<DemoPlanFactory>
{
    private const string Plan = "LMEC-2023-2027";

    private StrategyApiClient As(string role, string? country = null) => new(Adapter(role, country));

    private HttpClientRequestAdapter Adapter(string role, string? country = null)
    {
        // Kiota's own handlers (headers inspection, retry, redirect) in front of the test server.
        var http = KiotaClientFactory.Create(api.Server.CreateHandler());
        http.BaseAddress = api.Server.BaseAddress;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token(role, country, $"typed-{role}-{country}"));
        return new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http);
    }

    private static Action<RequestConfiguration<T>> IfMatch<T>(long version, HeadersInspectionHandlerOption? inspect = null) where T : class, new() => c =>
    {
        c.Headers.Add("If-Match", $"\"{version}\"");
        if (inspect is not null) c.Options.Add(inspect);
    };

    [Fact]
    public async Task The_README_tour_runs_through_typed_calls_including_a_stale_write_refused_as_a_typed_problem()
    {
        var reviewer = As("reviewer");
        var secretariat = As("secretariat");
        var kh = As("focal-point", "KH");
        var th = As("focal-point", "TH");

        // The plan and Cambodia's commitments.
        var plan = (await reviewer.Api.Plans[Plan].GetAsync()).ShouldNotBeNull();
        plan.Goals.ShouldNotBeNull().Count.ShouldBe(6);
        var mine = (await kh.Api.Plans[Plan].Commitments.GetAsync(c => { c.QueryParameters.Country = "KH"; c.QueryParameters.PageSize = 10; })).ShouldNotBeNull();
        mine.ShouldNotBeEmpty();
        mine.ShouldAllBe(c => c.Country == "KH");
        var id = mine[0].Id.ShouldNotBeNull();

        // Status with an idempotency key: the typed answer is the commitment, and a retry gives the same answer.
        var inspect = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        var started = (await kh.Api.Commitments[id].Status.PostAsync(new ChangeStatusBody { Status = CommitmentStatus.InProgress }, c =>
        {
            c.Headers.Add("Idempotency-Key", "typed-tour-1");
            c.Options.Add(inspect);
        })).ShouldNotBeNull();
        started.Status.ShouldBe(CommitmentStatus.InProgress);
        var version = started.Version.ShouldNotBeNull();
        inspect.ResponseHeaders["ETag"].Single().ShouldBe($"\"{version}\"");
        inspect.ResponseHeaders[Strategy.Api.Http.RateLimits.StateHeader].Single().ShouldStartWith("\"writes\";r=");
        var retried = (await kh.Api.Commitments[id].Status.PostAsync(new ChangeStatusBody { Status = CommitmentStatus.InProgress },
            c => c.Headers.Add("Idempotency-Key", "typed-tour-1"))).ShouldNotBeNull();
        retried.Version.ShouldBe(version);

        // A stale If-Match: 412, thrown as the contract's problem type.
        var stale = await Should.ThrowAsync<ProblemDetails>(() => kh.Api.Commitments[id].Progress.PostAsync(
            new SubmitValueBody { Value = 3, AsOf = new Date(2025, 3, 31) }, IfMatch<DefaultQueryParameters>(version - 1)));
        stale.ResponseStatusCode.ShouldBe(412);
        stale.Status.ShouldBe(412);
        stale.Title.ShouldNotBeNullOrEmpty();

        // The current version: the value is submitted and pending, not counted.
        var submitted = (await kh.Api.Commitments[id].Progress.PostAsync(
            new SubmitValueBody { Value = 3, AsOf = new Date(2025, 3, 31), Note = "Quarterly figures" }, IfMatch<DefaultQueryParameters>(version))).ShouldNotBeNull();
        submitted.Pending.ShouldNotBeNull().Count.ShouldBe(1);

        // Revise the terms with a reason; another country is refused (403, typed).
        var revised = (await kh.Api.Commitments[id].PatchAsync(new ReviseBody { Title = "Revised by the ministry", Reason = "Scope agreed at the annual meeting" })).ShouldNotBeNull();
        revised.Title.ShouldBe("Revised by the ministry");
        (await Should.ThrowAsync<ProblemDetails>(() => th.Api.Commitments[id].Status.PostAsync(new ChangeStatusBody { Status = CommitmentStatus.OnHold })))
            .ResponseStatusCode.ShouldBe(403);

        // History, and the commitment as it stood before the revision.
        var history = (await reviewer.Api.Commitments[id].History.GetAsync(c => c.QueryParameters.Limit = 100)).ShouldNotBeNull();
        history.Select(h => h.Type).ShouldContain("commitment-revised");
        var before = history.Single(h => h.Type == "commitment-revised").Timestamp.ShouldNotBeNull().AddTicks(-10);
        var then = (await reviewer.Api.Commitments[id].GetAsync(c => c.QueryParameters.AsOf = before.ToString("O"))).ShouldNotBeNull();
        then.Title.ShouldNotBe("Revised by the ministry");

        // The secretariat adds a commitment, realigns an outcome, withdraws the commitment and restores it.
        var outcome = plan.Goals[0].Outcomes.ShouldNotBeNull()[0];
        var made = (await secretariat.Api.Plans[Plan].Commitments.PostAsync(new MakeCommitmentBody
        {
            Country = "TH", Outcome = outcome.Code, Title = "Typed client commitment", LeadAgency = "Ministry of Natural Resources",
            Due = new Date(2027, 6, 30),
        })).ShouldNotBeNull();
        made.Code.ShouldNotBeNullOrEmpty();
        var realigned = (await secretariat.Api.Plans[Plan].Outcomes[outcome.Code!].SdgTargets.PutAsync(
            new AlignSdgTargetsBody { SdgTargets = ["13.2", "6.3"], Reason = "Aligned at the annual meeting" })).ShouldNotBeNull();
        realigned.Goals![0].Outcomes![0].SdgTargets.ShouldBe(["13.2", "6.3"], ignoreOrder: true);
        (await secretariat.Api.Commitments[made.Id!.Value].Withdraw.PostAsync(new WithdrawBody { Reason = "Entered twice" })).ShouldNotBeNull().Withdrawn.ShouldBe(true);
        (await secretariat.Api.Commitments[made.Id!.Value].Restore.PostAsync(new WithdrawBody { Reason = "Withdrawn in error" })).ShouldNotBeNull().Withdrawn.ShouldBe(false);

        // The SDG catalogue.
        var climate = (await reviewer.Api.Sdg.Targets.GetAsync(c => c.QueryParameters.Goal = 13)).ShouldNotBeNull();
        climate.ShouldAllBe(t => t.Goal == 13);

        // Evidence: an upload answers its SHA-256; the download is the same bytes.
        var pdf = EvidenceTypeSpecs.Pdf();
        var form = new MultipartBody();
        form.AddOrReplacePart("file", "application/pdf", new MemoryStream(pdf), "minutes.pdf");
        var evidence = (await kh.Api.Commitments[id].Evidence.PostAsync(form)).ShouldNotBeNull();
        evidence.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)));
        await using (var download = (await reviewer.Api.Evidence[evidence.Id!.Value].GetAsync()).ShouldNotBeNull())
        {
            var copy = new MemoryStream();
            await download.CopyToAsync(copy);
            copy.ToArray().ShouldBe(pdf);
        }
        (await secretariat.Api.Evidence.Verify.GetAsync()).ShouldNotBeNull().Valid.ShouldBe(true);

        // The reporting cycle: a round, a value returned with a comment, corrected, accepted.
        var round = (await secretariat.Api.Plans[Plan].Rounds.PostAsync(new OpenRoundBody
        {
            Code = "2025-Q2", PeriodStart = new Date(2025, 4, 1), PeriodEnd = new Date(2025, 6, 30), Deadline = new Date(2025, 7, 31),
        })).ShouldNotBeNull();
        var current = (await kh.Api.Commitments[id].GetAsync()).ShouldNotBeNull();
        await kh.Api.Commitments[id].Progress.PostAsync(new SubmitValueBody { Value = 4, AsOf = new Date(2025, 6, 30), Evidence = [evidence.Id] });
        var queue = (await secretariat.Api.ReviewQueue.GetAsync(c => { c.QueryParameters.Plan = Plan; c.QueryParameters.Round = "2025-Q2"; })).ShouldNotBeNull();
        var first = queue.Single(q => q.Commitment!.Id == id).Value.ShouldNotBeNull();
        first.Evidence.ShouldNotBeNull().Single().Sha256.ShouldBe(evidence.Sha256);
        await secretariat.Api.Commitments[id].Values[first.Id!.Value].Return.PostAsync(new ReturnValueBody { Comment = "This number looks wrong, please check." });
        await kh.Api.Commitments[id].Progress.PostAsync(new SubmitValueBody { Value = 5, AsOf = new Date(2025, 6, 30), Supersedes = first.Id });
        var second = (await secretariat.Api.ReviewQueue.GetAsync(c => c.QueryParameters.Plan = Plan)).ShouldNotBeNull().Single(q => q.Value!.Supersedes == first.Id).Value!;
        var accepted = (await secretariat.Api.Commitments[id].Values[second.Id!.Value].Accept.PostAsync(new AcceptValueBody())).ShouldNotBeNull();
        accepted.LatestValue.ShouldNotBeNull().Value.ShouldBe(5);
        current.LatestValue.ShouldBeNull();

        var values = (await reviewer.Api.Commitments[id].Values.GetAsync()).ShouldNotBeNull();
        values.Select(v => v.State).ShouldContain(ValueState.Returned);
        values.Select(v => v.State).ShouldContain(ValueState.Accepted);
        var thread = (await reviewer.Api.Commitments[id].Comments.GetAsync()).ShouldNotBeNull();
        thread.ShouldContain(c => c.Text == "This number looks wrong, please check.");
        (await kh.Api.Commitments[id].Comments.PostAsync(new CommentBody { Text = "Corrected from the minutes." })).ShouldNotBeNull().Text.ShouldBe("Corrected from the minutes.");

        var completeness = (await reviewer.Api.Rounds[round.Id!.Value].GetAsync()).ShouldNotBeNull().Completeness.ShouldNotBeNull();
        completeness.Single(c => c.Country == "KH").Accepted.ShouldBe(1);
        (await reviewer.Api.Plans[Plan].Rounds.GetAsync()).ShouldNotBeNull().Select(r => r.Code).ShouldContain("2025-Q2");
        (await secretariat.Api.Rounds[round.Id!.Value].PatchAsync(new MoveDeadlineBody { Deadline = new Date(2025, 8, 15), Reason = "Holidays" }))
            .ShouldNotBeNull().Deadline.ShouldBe(new Date(2025, 8, 15));
        (await secretariat.Api.Rounds[round.Id!.Value].Close.PostAsync(new CloseRoundBody { Note = "Quarter closed" })).ShouldNotBeNull().State.ShouldBe(RoundState.Closed);

        // A report: queued, followed, its content read.
        var queued = (await secretariat.Api.Reports.PostAsync(new RequestReportBody { Kind = ReportKind.Progress, Plan = Plan })).ShouldNotBeNull();
        var report = (await reviewer.Api.Reports[queued.Id!.Value].GetAsync(c => c.QueryParameters.Wait = 60)).ShouldNotBeNull();
        report.Status.ShouldBe(ReportStatus.Succeeded, report.Error);
        report.ContentHash.ShouldNotBeNull().Length.ShouldBe(64);
        var content = (await reviewer.Api.Reports[queued.Id!.Value].Content.GetAsync()).ShouldNotBeNull();
        var progress = content.ProgressReportContent.ShouldNotBeNull();
        progress.Plan.ShouldNotBeNull().Code.ShouldBe(Plan);
        progress.ByCountry.ShouldNotBeNull().ShouldContain(c => c.Code == "KH");
        // The CSV is a file: the same request builder, read as a stream.
        var csvRequest = reviewer.Api.Reports[queued.Id!.Value].Content.ToGetRequestInformation(c =>
            c.QueryParameters.Format = Strategy.Client.Api.Reports.Item.Content.GetFormatQueryParameterType.Csv);
        await using (var csv = (await Adapter("reviewer").SendPrimitiveAsync<Stream>(csvRequest)).ShouldNotBeNull())
            (await new StreamReader(csv).ReadToEndAsync()).ShouldContain("KH");

        // The audit log, the chain, its checkpoints and the key they verify with (no token needed for the key).
        var page = (await reviewer.Api.Audit.GetAsync(c => { c.QueryParameters.Plan = Plan; c.QueryParameters.Country = "KH"; c.QueryParameters.Limit = 100; })).ShouldNotBeNull();
        page.Items.ShouldNotBeNull().ShouldNotBeEmpty();
        var verified = (await reviewer.Api.Audit.Verify.GetAsync()).ShouldNotBeNull();
        verified.AuditVerification.ShouldNotBeNull().Valid.ShouldBe(true);
        var at = (await reviewer.Api.Audit.Verify.GetAsync(c => c.QueryParameters.UpTo = report.EventSequence)).ShouldNotBeNull();
        at.AuditHashAt.ShouldNotBeNull().Hash.ShouldBe(report.ChainHash);
        (await reviewer.Api.Audit.Checkpoints.GetAsync(c => c.QueryParameters.Limit = 10)).ShouldNotBeNull();
        var anonymous = new StrategyApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(),
            httpClient: new HttpClient(api.Server.CreateHandler()) { BaseAddress = api.Server.BaseAddress }));
        (await anonymous.Api.Audit.PublicKey.GetAsync()).ShouldNotBeNull().Algorithm.ShouldBe("ES256");
    }
}
