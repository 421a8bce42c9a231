using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Evidence;
using Strategy.Tests.Domain;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>Evidence uploads and downloads through the API on a real PostgreSQL, with what they append and store.</summary>
public sealed class EvidenceTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly string Plan = "EVID-" + Guid.NewGuid().ToString("N")[..8];
    private Guid commitment;

    public async Task InitializeAsync()
    {
        var secretariat = api.Secretariat();
        var plan = await secretariat.PostJson("/api/plans", TestPlan.Document(Plan));
        plan.StatusCode.ShouldBe(HttpStatusCode.Created, await plan.Content.ReadAsStringAsync());
        commitment = await MakeCommitment("KH");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> MakeCommitment(string country)
    {
        var made = await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment(country));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        return (await made.Json()).GetProperty("id").GetGuid();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /// <summary>A multipart form with one file part; each call draws a new boundary, as a client building a request again would.</summary>
    public static MultipartFormDataContent Form(byte[] bytes, string name, string part = "file", string declaredType = "application/octet-stream")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(declaredType);
        return new MultipartFormDataContent { { file, part, name } };
    }

    private static Task<HttpResponseMessage> Upload(HttpClient client, Guid id, HttpContent form, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{id}/evidence") { Content = form };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    private Task<HttpResponseMessage> Upload(HttpClient client, byte[] bytes, string name, string declaredType = "application/octet-stream") =>
        Upload(client, commitment, Form(bytes, name, declaredType: declaredType));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Text bytes no other test uploads, so what each test stores can be counted apart.</summary>
    private static byte[] UniqueText(string what) => Encoding.UTF8.GetBytes($"{what} {Guid.NewGuid()}\n");

    /// <summary>Rows in evidence_file, all or those of one SHA-256, read as the owner.</summary>
    private async Task<long> StoredFiles(string? sha256 = null)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select count(*) from {api.Schema}.{EvidenceStore.TableName} where @sha256::text is null or sha256 = @sha256", connection);
        command.Parameters.AddWithValue("sha256", (object?)sha256 ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<JsonElement> Created(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // ---- size ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_file_of_10_MiB_and_one_byte_gets_413_and_nothing_is_appended_or_stored()
    {
        var bytes = new byte[10 * MiB + 1];
        bytes.AsSpan().Fill((byte)'a');
        var events = await api.EventCount();
        var files = await StoredFiles();

        await (await Upload(api.Secretariat(), bytes, "big.txt")).ShouldBeProblem(413);

        (await api.EventCount()).ShouldBe(events);
        (await StoredFiles()).ShouldBe(files);
        (await StoredFiles(Sha256(bytes))).ShouldBe(0);
    }

    [Fact]
    public async Task A_body_over_the_routes_limit_is_refused_before_it_is_read_and_other_routes_keep_the_service_limit()
    {
        var events = await api.EventCount();

        await (await Upload(api.Secretariat(), new byte[11 * MiB], "huge.pdf")).ShouldBeProblem(413);
        // The upload's limit is its route's alone: 2 MiB of JSON to a commitment write is still over the service's 1 MiB.
        var note = new string('x', 2 * MiB);
        await (await api.Secretariat().PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress", note })).ShouldBeProblem(413);

        (await api.EventCount()).ShouldBe(events);
    }

    [Fact]
    public async Task A_plain_text_file_of_exactly_10_MiB_is_taken_and_served_back_whole()
    {
        var bytes = new byte[10 * MiB];
        bytes.AsSpan().Fill((byte)'b');
        Encoding.ASCII.GetBytes($"{Guid.NewGuid()}\n").CopyTo(bytes, 0);

        var body = await Created(await Upload(api.FocalPoint("KH"), bytes, "readings.txt"));

        body.GetProperty("size").GetInt64().ShouldBe(10 * MiB);
        body.GetProperty("contentType").GetString().ShouldBe("text/plain");
        body.GetProperty("sha256").GetString().ShouldBe(Sha256(bytes));
        var download = await api.Reviewer().GetAsync($"/api/evidence/{body.GetProperty("id").GetGuid()}");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(bytes);
    }

    // ---- type -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task An_executable_renamed_pdf_gets_415_naming_the_allowed_types_and_appends_nothing()
    {
        var events = await api.EventCount();
        var files = await StoredFiles();

        var problem = await (await Upload(api.FocalPoint("KH"), EvidenceTypeSpecs.WindowsExecutable(), "minutes.pdf", "application/pdf")).ShouldBeProblem(415);

        var detail = problem.GetProperty("detail").GetString()!;
        foreach (var type in new[] { "PDF", "PNG", "JPEG", "DOCX", "XLSX", "CSV", "plain text" }) detail.ShouldContain(type);
        (await api.EventCount()).ShouldBe(events);
        (await StoredFiles()).ShouldBe(files);
    }

    [Fact]
    public async Task Each_allowed_type_is_recorded_as_read_from_its_bytes_not_its_name_or_declared_type()
    {
        var cases = new (byte[] Bytes, string Name, string Expected)[]
        {
            (EvidenceTypeSpecs.Pdf(), "minutes.txt", EvidenceTypes.Pdf),
            (EvidenceTypeSpecs.Png(), "photo.jpg", EvidenceTypes.Png),
            (EvidenceTypeSpecs.Jpeg(), "photo.png", EvidenceTypes.Jpeg),
            (EvidenceTypeSpecs.Docx(), "report.docx", EvidenceTypes.Docx),
            (EvidenceTypeSpecs.Xlsx(), "values.xlsx", EvidenceTypes.Xlsx),
            (Encoding.UTF8.GetBytes("country,value\r\nKH,3\r\n"), "values.csv", EvidenceTypes.Csv),
            (Encoding.UTF8.GetBytes("Roundtable held in Phnom Penh.\n"), "note.md", EvidenceTypes.Text),
        };
        foreach (var (bytes, name, expected) in cases)
        {
            var body = await Created(await Upload(api.Secretariat(), bytes, name, "application/x-anything"));
            body.GetProperty("contentType").GetString().ShouldBe(expected, name);
        }
    }

    [Fact]
    public async Task A_form_without_a_file_in_the_part_named_file_gets_400_naming_file()
    {
        var events = await api.EventCount();
        var secretariat = api.Secretariat();

        await (await Upload(secretariat, commitment, Form(UniqueText("other part"), "notes.txt", part: "document"))).ShouldBeProblem(400, "file");
        // A part named file that is no file (no filename): a form field.
        var field = new MultipartFormDataContent { { new StringContent("not a file"), "file" } };
        await (await Upload(secretariat, commitment, field)).ShouldBeProblem(400, "file");
        var two = Form(UniqueText("first"), "a.txt");
        two.Add(new ByteArrayContent(UniqueText("second")), "file", "b.txt");
        await (await Upload(secretariat, commitment, two)).ShouldBeProblem(400, "file");

        (await api.EventCount()).ShouldBe(events);
    }

    [Fact]
    public async Task A_body_that_is_not_a_multipart_form_is_refused_and_appends_nothing()
    {
        var events = await api.EventCount();
        var secretariat = api.Secretariat();

        await (await Upload(secretariat, commitment, new StringContent("""{"file":"minutes.pdf"}""", Encoding.UTF8, "application/json"))).ShouldBeProblem(415);
        await (await Upload(secretariat, commitment, new FormUrlEncodedContent([new("file", "minutes.pdf")]))).ShouldBeProblem(415);
        var broken = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno end"));
        broken.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");
        await (await Upload(secretariat, commitment, broken)).ShouldBeProblem(400);

        (await api.EventCount()).ShouldBe(events);
    }

    // ---- round trip --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task An_uploaded_file_downloads_as_the_same_bytes_whose_sha256_is_the_recorded_one_and_the_ETag()
    {
        var bytes = EvidenceTypeSpecs.Docx();

        var response = await Upload(api.FocalPoint("KH"), bytes, @"C:\Users\kh\Documents\minutes.docx");
        var body = await Created(response);
        var id = body.GetProperty("id").GetGuid();
        body.GetProperty("name").GetString().ShouldBe("minutes.docx");
        body.GetProperty("size").GetInt64().ShouldBe(bytes.Length);
        body.GetProperty("contentType").GetString().ShouldBe(EvidenceTypes.Docx);
        body.GetProperty("sha256").GetString().ShouldBe(Sha256(bytes));
        response.Headers.Location!.ToString().ShouldBe($"/api/evidence/{id}");
        response.Headers.ETag.ShouldNotBeNull();
        id.Version.ShouldBe(7);

        var download = await api.Reviewer().GetAsync(response.Headers.Location);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        var served = await download.Content.ReadAsByteArrayAsync();
        served.ShouldBe(bytes);
        Sha256(served).ShouldBe(body.GetProperty("sha256").GetString());
        download.Headers.ETag!.Tag.ShouldBe($"\"{Sha256(bytes)}\"");
        download.Content.Headers.ContentType!.MediaType.ShouldBe(EvidenceTypes.Docx);
        download.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        download.Content.Headers.ContentDisposition.FileNameStar.ShouldBe("minutes.docx");

        // A client that holds the file already is told so.
        var again = new HttpRequestMessage(HttpMethod.Get, response.Headers.Location);
        again.Headers.IfNoneMatch.Add(download.Headers.ETag);
        (await api.Reviewer().SendAsync(again)).StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task A_name_with_quotes_and_other_scripts_is_served_safely_encoded()
    {
        const string name = "របាយការណ៍ \"final\"; filename=evil.exe.pdf";
        // Sent as an RFC 5987 filename* only: HttpClient will not put such a name in a plain filename.
        var form = Form(EvidenceTypeSpecs.Pdf(), "x.pdf");
        form.First().Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "file", FileNameStar = name };
        var body = await Created(await Upload(api.Secretariat(), commitment, form));
        body.GetProperty("name").GetString().ShouldBe(name);

        var download = await api.Reviewer().GetAsync($"/api/evidence/{body.GetProperty("id").GetGuid()}");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        var disposition = download.Content.Headers.ContentDisposition!;
        disposition.DispositionType.ShouldBe("attachment");
        disposition.FileNameStar.ShouldBe(name);
        disposition.Parameters.Count(p => p.Name.Equals("filename", StringComparison.OrdinalIgnoreCase)).ShouldBe(1);
    }

    [Fact]
    public async Task A_name_with_a_control_character_gets_400_and_appends_nothing()
    {
        var events = await api.EventCount();
        var form = Form(UniqueText("bell"), "x");
        form.First().Headers.ContentDisposition!.FileNameStar = "bell\u0007.txt";
        form.First().Headers.ContentDisposition!.FileName = null;

        await (await Upload(api.Secretariat(), commitment, form)).ShouldBeProblem(400, "file");

        (await api.EventCount()).ShouldBe(events);
    }

    [Fact]
    public async Task The_same_bytes_uploaded_twice_are_two_evidence_ids_and_one_stored_file()
    {
        var bytes = UniqueText("twice");
        var id = await MakeCommitment("KH");

        var first = await Upload(api.Secretariat(), id, Form(bytes, "first.txt"));
        var second = await Upload(api.FocalPoint("KH"), id, Form(bytes, "second.txt"));

        var a = await Created(first);
        var b = await Created(second);
        a.GetProperty("id").GetGuid().ShouldNotBe(b.GetProperty("id").GetGuid());
        a.GetProperty("sha256").GetString().ShouldBe(b.GetProperty("sha256").GetString());
        (await StoredFiles(Sha256(bytes))).ShouldBe(1);
        // Both on the commitment's correspondence stream, one after the other.
        first.ETag().ShouldBe(1);
        second.ETag().ShouldBe(2);
        foreach (var (body, name) in new[] { (a, "first.txt"), (b, "second.txt") })
        {
            var download = await api.Reviewer().GetAsync($"/api/evidence/{body.GetProperty("id").GetGuid()}");
            (await download.Content.ReadAsByteArrayAsync()).ShouldBe(bytes);
            download.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe(name);
        }
    }

    [Fact]
    public async Task An_upload_leaves_the_commitments_version_so_a_focal_points_If_Match_stays_current()
    {
        var kh = api.FocalPoint("KH");
        var read = await kh.GetAsync($"/api/commitments/{commitment}");
        var version = read.ETag();

        await Created(await Upload(kh, UniqueText("while editing"), "photo-notes.txt"));

        var changed = await kh.PostJson($"/api/commitments/{commitment}/status", new { status = "on-hold", note = "Waiting for funds" }, ifMatch: version);
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        var again = await kh.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress" }, ifMatch: changed.ETag());
        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Concurrent_uploads_to_one_commitment_all_succeed_one_version_after_another()
    {
        var id = await MakeCommitment("KH");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Upload(api.Secretariat(), id, Form(UniqueText($"parallel {i}"), $"p{i}.txt"))));

        foreach (var response in responses) await Created(response);
        responses.Select(r => r.ETag()).Order().ShouldBe([1, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public async Task The_upload_event_carries_the_sha256_and_the_audit_log_shows_it()
    {
        var bytes = UniqueText("audited");
        var body = await Created(await Upload(api.FocalPoint("KH"), bytes, "audited.txt"));
        var id = body.GetProperty("id").GetGuid();

        await WaitForDaemon(api);
        var entry = (await Walk(api.Reviewer(), "type=evidence-uploaded", 1000))
            .Single(e => e.GetProperty("data").GetProperty("evidenceId").GetGuid() == id);
        var data = entry.GetProperty("data");
        data.GetProperty("sha256").GetString().ShouldBe(Sha256(bytes));
        data.GetProperty("commitmentId").GetGuid().ShouldBe(commitment);
        data.GetProperty("name").GetString().ShouldBe("audited.txt");
        data.GetProperty("size").GetInt64().ShouldBe(bytes.Length);
        entry.GetProperty("stream").GetProperty("id").GetGuid().ShouldBe(Strategy.Infrastructure.Store.StreamIds.ForCorrespondence(commitment));
        entry.GetProperty("actor").GetProperty("id").GetString().ShouldBe("fp-kh");
        // The chain runs over the upload's event too.
        var verified = await (await api.Reviewer().GetAsync("/api/audit/verify")).Json();
        verified.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.ToString());
    }

    // ---- who may ------------------------------------------------------------------------------------------------------

    public static TheoryData<string, int> Roles => new()
    {
        { "secretariat", 201 },
        { "admin", 201 },
        { "focal-point KH", 201 },
        { "focal-point TH", 403 },
        { "reviewer", 403 },
    };

    private HttpClient Caller(string role) => role switch
    {
        "secretariat" => api.Secretariat(),
        "admin" => api.As("admin", sub: "adm-1", name: "Operations Admin"),
        "reviewer" => api.Reviewer(),
        "focal-point KH" => api.FocalPoint("KH"),
        "focal-point TH" => api.FocalPoint("TH"),
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Evidence_on_a_KH_commitment_is_added_by_the_secretariat_admins_and_KHs_focal_point_only(string role, int expected)
    {
        var bytes = UniqueText(role);
        var events = await api.EventCount();

        var response = await Upload(Caller(role), bytes, "minutes.txt");

        if (expected == 403)
        {
            await response.ShouldBeProblem(403);
            (await api.EventCount()).ShouldBe(events);
            (await StoredFiles(Sha256(bytes))).ShouldBe(0);
        }
        else
        {
            await Created(response);
            (await api.EventCount()).ShouldBe(events + 1);
            (await StoredFiles(Sha256(bytes))).ShouldBe(1);
        }
    }

    [Fact]
    public async Task A_withdrawn_commitment_takes_no_evidence_and_an_unknown_one_gets_404()
    {
        var id = await MakeCommitment("KH");
        (await api.Secretariat().PostJson($"/api/commitments/{id}/withdraw", new { reason = "Made in error" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var bytes = UniqueText("withdrawn");
        var events = await api.EventCount();

        await (await Upload(api.Secretariat(), id, Form(bytes, "late.txt"))).ShouldBeProblem(409);
        await (await Upload(api.Secretariat(), Guid.CreateVersion7(), Form(bytes, "nowhere.txt"))).ShouldBeProblem(404);

        (await api.EventCount()).ShouldBe(events);
        (await StoredFiles(Sha256(bytes))).ShouldBe(0);
    }

    [Fact]
    public async Task Unknown_evidence_gets_404_and_only_the_secretariat_reviewers_and_admins_verify()
    {
        await (await api.Reviewer().GetAsync($"/api/evidence/{Guid.CreateVersion7()}")).ShouldBeProblem(404);
        await (await api.FocalPoint("KH").GetAsync("/api/evidence/verify")).ShouldBeProblem(403);
        foreach (var client in new[] { api.Secretariat(), api.Reviewer(), api.As("admin", sub: "adm-1") })
            (await client.GetAsync("/api/evidence/verify")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    // ---- retries ------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task An_Idempotency_Key_retry_with_a_new_boundary_returns_the_first_answer_and_appends_nothing()
    {
        var bytes = UniqueText("retried");
        var key = "upload-" + Guid.NewGuid();
        var kh = api.FocalPoint("KH");

        var first = await Upload(kh, commitment, Form(bytes, "retried.txt"), key);
        var body = await Created(first);
        var events = await api.EventCount();

        // A client that builds the request again draws another multipart boundary: the parts are what count.
        var retry = await Upload(kh, commitment, Form(bytes, "retried.txt"), key);

        (await Created(retry)).GetProperty("id").GetGuid().ShouldBe(body.GetProperty("id").GetGuid());
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        retry.ETag().ShouldBe(first.ETag());
        (await api.EventCount()).ShouldBe(events);
        (await StoredFiles(Sha256(bytes))).ShouldBe(1);

        // The same key with another file is another request.
        await (await Upload(kh, commitment, Form(UniqueText("other"), "retried.txt"), key)).ShouldBeProblem(422);
        await (await Upload(kh, commitment, Form(bytes, "renamed.txt"), key)).ShouldBeProblem(422);
        (await api.EventCount()).ShouldBe(events);
    }

    [Fact]
    public async Task A_key_whose_upload_was_refused_can_be_used_again_once_the_file_is_right()
    {
        var key = "upload-" + Guid.NewGuid();
        var kh = api.FocalPoint("KH");
        var events = await api.EventCount();

        await (await Upload(kh, commitment, Form(EvidenceTypeSpecs.LinuxExecutable(), "tool.pdf"), key)).ShouldBeProblem(415);
        (await api.EventCount()).ShouldBe(events);

        await Created(await Upload(kh, commitment, Form(EvidenceTypeSpecs.Pdf(), "minutes.pdf"), key));
        (await api.EventCount()).ShouldBe(events + 1);
    }

    // ---- the API's description --------------------------------------------------------------------------------------

    [Fact]
    public async Task The_OpenAPI_document_declares_the_multipart_upload_and_the_file_download()
    {
        var doc = await (await api.CreateClient().GetAsync("/openapi/v1.json")).Json();
        var paths = doc.GetProperty("paths");

        var upload = paths.GetProperty("/api/commitments/{id}/evidence").GetProperty("post");
        upload.GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace();
        upload.GetProperty("description").GetString()!.ShouldContain("10 MiB");
        var form = upload.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        Properties(doc, form).ShouldContain("file");
        foreach (var status in new[] { "201", "400", "403", "404", "409", "413", "415" })
            upload.GetProperty("responses").TryGetProperty(status, out _).ShouldBeTrue(status);

        paths.GetProperty("/api/evidence/{id}").GetProperty("get").GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace();
        paths.GetProperty("/api/evidence/verify").GetProperty("get").GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    /// <summary>The property names of a schema, following a reference into the components.</summary>
    private static List<string> Properties(JsonElement doc, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
            schema = doc.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        var names = new List<string>();
        if (schema.TryGetProperty("properties", out var properties)) names.AddRange(properties.EnumerateObject().Select(p => p.Name));
        if (schema.TryGetProperty("allOf", out var all)) foreach (var part in all.EnumerateArray()) names.AddRange(Properties(doc, part));
        return names;
    }
}

/// <summary>A stored file changed behind the service's back: in a schema of its own, so the other evidence tests see an intact store.</summary>
public sealed class EvidenceTamperTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_stored_file_altered_in_the_database_is_refused_with_409_and_named_by_verify()
    {
        var secretariat = api.Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document("EVID-TAMPER"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await secretariat.PostJson("/api/plans/EVID-TAMPER/commitments", TestPlan.Commitment("KH"));
        var commitment = (await made.Json()).GetProperty("id").GetGuid();
        var kept = EvidenceTypeSpecs.Png();
        var altered = EvidenceTypeSpecs.Pdf();
        async Task<(Guid Id, string Sha256)> Upload(byte[] bytes, string name)
        {
            var response = await secretariat.PostAsync($"/api/commitments/{commitment}/evidence", EvidenceTests.Form(bytes, name));
            var body = await response.Json();
            response.StatusCode.ShouldBe(HttpStatusCode.Created, body.ToString());
            return (body.GetProperty("id").GetGuid(), body.GetProperty("sha256").GetString()!);
        }
        var intact = await Upload(kept, "photo.png");
        var target = await Upload(altered, "minutes.pdf");

        var before = await (await api.Reviewer().GetAsync("/api/evidence/verify")).Json();
        before.GetProperty("valid").GetBoolean().ShouldBeTrue(before.ToString());
        before.GetProperty("filesChecked").GetInt32().ShouldBe(2);
        before.GetProperty("altered").GetArrayLength().ShouldBe(0);

        // As the database owner: the service's own role may not update the table (deploy/app-role.sql).
        (await Sql($"update {api.Schema}.{EvidenceStore.TableName} set content = content || '\\x0a'::bytea where sha256 = @sha256",
            ("sha256", target.Sha256))).ShouldBe(1);

        var problem = await (await api.Reviewer().GetAsync($"/api/evidence/{target.Id}")).ShouldBeProblem(409);
        problem.GetProperty("detail").GetString()!.ShouldContain("altered");
        (await (await api.Reviewer().GetAsync($"/api/evidence/{intact.Id}")).Content.ReadAsByteArrayAsync()).ShouldBe(kept);

        var after = await (await api.Reviewer().GetAsync("/api/evidence/verify")).Json();
        after.GetProperty("valid").GetBoolean().ShouldBeFalse(after.ToString());
        after.GetProperty("filesChecked").GetInt32().ShouldBe(2);
        after.GetProperty("altered").EnumerateArray().Select(e => e.GetString()).ShouldBe([target.Sha256]);

        // A file deleted from under its record is refused and named too.
        (await Sql($"delete from {api.Schema}.{EvidenceStore.TableName} where sha256 = @sha256", ("sha256", intact.Sha256))).ShouldBe(1);
        await (await api.Reviewer().GetAsync($"/api/evidence/{intact.Id}")).ShouldBeProblem(409);
        var gone = await (await api.Reviewer().GetAsync("/api/evidence/verify")).Json();
        gone.GetProperty("missing").EnumerateArray().Select(e => e.GetString()).ShouldBe([intact.Sha256]);
        gone.GetProperty("filesChecked").GetInt32().ShouldBe(1);
    }
}
