using System.Net;

namespace Strategy.Tests.Api;

/// <summary>
/// Codes are one line of safe characters: a trailing newline would make a second code that looks like the first (and
/// broke the CSV download's Content-Disposition). A focal point's commitment codes start with its own country.
/// </summary>
public sealed class CodeRulesTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "CODE-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync() =>
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan))).StatusCode.ShouldBe(HttpStatusCode.Created);

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("KH-G1.O1-01\n")]
    [InlineData("KH-G1.O1-01\r\n")]
    public async Task A_commitment_code_with_a_line_break_at_the_end_gets_400_and_appends_nothing(string code)
    {
        var before = await api.EventCount();
        await (await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", code: code))).ShouldBeProblem(400, "code");
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task A_plan_code_with_a_line_break_at_the_end_gets_400_and_appends_nothing()
    {
        var before = await api.EventCount();
        await (await api.Secretariat().PostJson("/api/plans", TestPlan.Document("NL-" + Guid.NewGuid().ToString("N")[..6] + "\n"))).ShouldBeProblem(400, "code");
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task A_focal_point_cannot_make_a_code_with_another_countrys_prefix()
    {
        var before = await api.EventCount();
        await (await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", code: "TH-G1.O1-77"))).ShouldBeProblem(400, "code");
        (await api.EventCount()).ShouldBe(before);

        (await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", code: "KH-G1.O1-77"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        // The secretariat names codes as it likes.
        (await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", code: "REGIONAL-01"))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
