using System.Globalization;
using System.Reflection;
using CsvHelper;

namespace Strategy.Infrastructure.ReferenceData;

public sealed record SdgGoal(int Goal, string ShortTitle, string Title);
public sealed record SdgTarget(int Goal, string Target, string Title, IReadOnlyList<SdgIndicator> Indicators);
public sealed record SdgIndicator(string Indicator, string Title);

/// <summary>The UN SDG global indicator framework (goals, targets, indicators), shipped as embedded CSV files.</summary>
public sealed class SdgCatalog
{
    public IReadOnlyList<SdgGoal> Goals { get; }
    public IReadOnlyList<SdgTarget> Targets { get; }
    public IReadOnlySet<string> TargetCodes { get; }

    public SdgCatalog()
    {
        Goals = Read("goals.csv", r => new SdgGoal(int.Parse(r.GetString("goal"), CultureInfo.InvariantCulture), r.GetString("short_title"), r.GetString("title")));
        var indicators = Read("indicators.csv", r => (Target: r.GetString("target"), Indicator: new SdgIndicator(r.GetString("indicator"), r.GetString("title"))))
            .ToLookup(x => x.Target, x => x.Indicator);
        Targets = Read("targets.csv", r => new SdgTarget(int.Parse(r.GetString("goal"), CultureInfo.InvariantCulture), r.GetString("target"), r.GetString("title"), [.. indicators[r.GetString("target")]]));
        TargetCodes = Targets.Select(t => t.Target).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The goal number of a target code such as "13.2" or "6.a".</summary>
    public static int GoalOf(string target) => int.Parse(target.AsSpan(0, target.IndexOf('.')), CultureInfo.InvariantCulture);

    private static List<T> Read<T>(string resource, Func<CsvReader, T> map)
    {
        using var stream = Resources.Open(resource);
        using var csv = CsvReader.Create(stream, new CsvReaderOptions(), leaveOpen: false);
        csv.ReadHeader();
        var rows = new List<T>();
        while (csv.Read()) rows.Add(map(csv));
        return rows;
    }
}

public static class Resources
{
    public const string DemoPlan = "lmec-2023-2027.json";

    public static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
}
