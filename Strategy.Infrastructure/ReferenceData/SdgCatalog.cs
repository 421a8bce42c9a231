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

    /// <summary>
    /// The languages the titles are translated into, and their files (translations/: community and national-platform
    /// translations from open-sdg/sdg-translations, MIT, not official UN texts; see translations/SOURCE.md). Thai and
    /// Vietnamese have no open source: their readers get English, marked as such.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> TranslationFiles = new Dictionary<string, string>
    {
        ["km"] = "km.csv", ["lo"] = "lo.csv", ["my"] = "my.csv", ["zh"] = "zh-Hans.csv",
    };

    private readonly Dictionary<string, Dictionary<(string Kind, string Code, string Field), string>> translations;

    public SdgCatalog()
    {
        Goals = Read("goals.csv", r => new SdgGoal(int.Parse(r.GetString("goal"), CultureInfo.InvariantCulture), r.GetString("short_title"), r.GetString("title")));
        var indicators = Read("indicators.csv", r => (Target: r.GetString("target"), Indicator: new SdgIndicator(r.GetString("indicator"), r.GetString("title"))))
            .ToLookup(x => x.Target, x => x.Indicator);
        Targets = Read("targets.csv", r => new SdgTarget(int.Parse(r.GetString("goal"), CultureInfo.InvariantCulture), r.GetString("target"), r.GetString("title"), [.. indicators[r.GetString("target")]]));
        TargetCodes = Targets.Select(t => t.Target).ToHashSet(StringComparer.Ordinal);
        translations = TranslationFiles.ToDictionary(f => f.Key, f => Read(f.Value, r => (Key: (r.GetString("kind"), r.GetString("code"), r.GetString("field")), Text: r.GetString("text")))
            .ToDictionary(x => x.Key, x => x.Text));
    }

    /// <summary>A title in <paramref name="language"/>, or null where it has none. Kinds: goal, target, indicator; fields: title, short.</summary>
    public string? Translated(string language, string kind, string code, string field = "title") =>
        translations.TryGetValue(language, out var texts) && texts.TryGetValue((kind, code, field), out var text) ? text : null;

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
