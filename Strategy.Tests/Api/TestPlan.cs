namespace Strategy.Tests.Api;

/// <summary>A small plan with known numbers, so expected figures can be worked out by hand.</summary>
public static class TestPlan
{
    public const string Code = "TP-2024";

    public static readonly object[] Countries =
    [
        new { code = "KH", iso3 = "KHM", name = "Cambodia" },
        new { code = "TH", iso3 = "THA", name = "Thailand" },
        new { code = "VN", iso3 = "VNM", name = "Viet Nam" },
    ];

    /// <param name="countries">Members as <c>{code, iso3, name}</c>; KH, TH and VN by default.</param>
    public static object Document(string code = Code, object[]? commitments = null, object[]? countries = null) => new
    {
        code,
        title = "Test plan 2024-2028",
        note = "fixture",
        period = new { start = "2024-01-01", end = "2028-12-31" },
        countries = countries ?? Countries,
        goals = new[]
        {
            new
            {
                code = "G1", title = "Climate", description = "Climate goal",
                outcomes = new[]
                {
                    new
                    {
                        code = "G1.O1", title = "Adaptation plans", sdgTargets = new[] { "13.2" },
                        indicators = new[] { new { code = "G1.O1.I1", title = "Plans adopted", unit = "count", baseline = 0.0, target = 10.0 } },
                    },
                    new
                    {
                        code = "G1.O2", title = "Cleaner air", sdgTargets = new[] { "11.6", "3.9" },
                        indicators = new[] { new { code = "G1.O2.I1", title = "PM2.5", unit = "ug/m3", baseline = 40.0, target = 25.0 } },
                    },
                },
            },
            new
            {
                code = "G2", title = "Water", description = "Water goal",
                outcomes = new[]
                {
                    new
                    {
                        code = "G2.O1", title = "Water quality", sdgTargets = new[] { "6.3" },
                        indicators = new[] { new { code = "G2.O1.I1", title = "Stations reporting", unit = "percent", baseline = 50.0, target = 90.0 } },
                    },
                },
            },
        },
        commitments = commitments ?? [],
    };

    public static object Commitment(string country = "KH", string outcome = "G1.O1", string? code = null, string due = "2026-12-31",
        string? indicator = "G1.O1.I1", double? target = 4, string title = "Adopt provincial adaptation plans") => new
    {
        code, country, outcome, title, leadAgency = "Ministry of Environment", due, indicator, target,
    };
}
