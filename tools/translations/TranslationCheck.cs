using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Strategy.Translations;

/// <summary>
/// Holds every base (English) .resx file of the repository to its member-language files: each language has a file, the
/// same keys as the English one (none missing, none extra) and the same placeholders ({0}) and tags in each text. A text
/// whose comment is "draft" is counted and listed, not refused: it waits for a native speaker (README, "Translating").
/// One implementation for the translator's command (tools/translations/check.sh) and the test that keeps it in CI.
/// </summary>
public static partial class TranslationCheck
{
    /// <summary>The members' languages; English is the source. A test holds this to the service's own list.</summary>
    public static readonly IReadOnlyList<string> Members = ["km", "lo", "my", "th", "vi", "zh"];

    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "bin", "obj", "node_modules", "TestResults" };

    public sealed record Text(string Key, string Value, bool Draft);

    public sealed record Language(string Code, string Path, bool FileMissing, IReadOnlyList<string> Missing, IReadOnlyList<string> Extra,
        IReadOnlyList<string> Mismatched, IReadOnlyList<Text> Drafts)
    {
        public IEnumerable<string> Errors =>
            FileMissing ? [$"{Path}: missing"]
            : Missing.Select(k => $"{Path}: no {k}")
                .Concat(Extra.Select(k => $"{Path}: {k} is not in the English file"))
                .Concat(Mismatched.Select(k => $"{Path}: {k} has other placeholders or tags than the English text"));
    }

    public sealed record Source(string Path, IReadOnlyList<Text> Texts, IReadOnlyList<Language> Languages)
    {
        public IEnumerable<string> Errors => Languages.SelectMany(l => l.Errors);
    }

    /// <summary>Every base .resx below <paramref name="root"/> (build output and hidden folders left out), with its languages.</summary>
    public static IReadOnlyList<Source> Run(string root) =>
        [.. Files(root).Where(f => CultureOf(f) is null).Order(StringComparer.Ordinal).Select(f => Check(root, f))];

    /// <summary>Language files whose English file does not exist: nothing would ever read them.</summary>
    public static IReadOnlyList<string> Orphans(string root) =>
        [.. Files(root).Where(f => CultureOf(f) is not null && !File.Exists(BaseOf(f))).Select(f => Relative(root, f)).Order(StringComparer.Ordinal)];

    public static Source Check(string root, string basePath)
    {
        var english = Read(basePath);
        var englishByKey = english.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var languages = Members.Select(code =>
        {
            var path = Path.ChangeExtension(basePath, null) + "." + code + ".resx";
            var shown = Relative(root, path);
            if (!File.Exists(path)) return new Language(code, shown, true, [], [], [], []);
            var texts = Read(path);
            var keys = texts.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            return new Language(code, shown, false,
                [.. english.Where(t => !keys.Contains(t.Key)).Select(t => t.Key)],
                [.. texts.Where(t => !englishByKey.ContainsKey(t.Key)).Select(t => t.Key)],
                [.. texts.Where(t => englishByKey.TryGetValue(t.Key, out var en) && Shape(en) != Shape(t.Value)).Select(t => t.Key)],
                [.. texts.Where(t => t.Draft && englishByKey.ContainsKey(t.Key))]);
        });
        return new Source(Relative(root, basePath), english, [.. languages]);
    }

    public static IReadOnlyList<Text> Read(string path) =>
        [.. XDocument.Load(path).Root!.Elements("data")
            // Strings only: a file or image resource (type or mimetype) has nothing to translate.
            .Where(d => d.Attribute("type") is null && d.Attribute("mimetype") is null)
            .Select(d => new Text((string)d.Attribute("name")!, (string?)d.Element("value") ?? "",
                ((string?)d.Element("comment"))?.Trim().StartsWith("draft", StringComparison.OrdinalIgnoreCase) == true))];

    /// <summary>
    /// What a translation must keep: its placeholders (by number: the format after a colon, {0:d} for {0:yyyy-MM-dd}, is
    /// the language's to choose) and its markup, in any order.
    /// </summary>
    private static string Shape(string text)
    {
        var matches = Placeholder().Matches(text);
        // A placeholder may appear more than once (a date and its time from one instant); each must appear.
        var placeholders = matches.Where(m => m.Groups["index"].Success).Select(m => "{" + m.Groups["index"].Value + "}").Distinct();
        var markup = matches.Where(m => !m.Groups["index"].Success).Select(m => m.Value);
        return string.Join(' ', placeholders.Concat(markup).Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"\{(?<index>[0-9]+)(?:[,:][^{}]*)?\}|\{[^{}]+\}|</?[a-z]+>")]
    private static partial Regex Placeholder();

    /// <summary>A report per base file and language; with <paramref name="drafts"/>, each draft's key and English text.</summary>
    public static string Describe(IReadOnlyList<Source> sources, IReadOnlyList<string> orphans, bool drafts, string? only = null)
    {
        var s = new StringBuilder();
        foreach (var source in sources)
        {
            s.AppendLine($"{source.Path}: {source.Texts.Count} texts");
            var english = source.Texts.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            foreach (var l in source.Languages.Where(l => only is null || l.Code == only))
            {
                s.AppendLine(l.FileMissing
                    ? $"  {l.Code}: file missing ({l.Path})"
                    : $"  {l.Code}: {l.Missing.Count} missing, {l.Extra.Count} extra, {l.Mismatched.Count} with other placeholders, {l.Drafts.Count} drafts");
                foreach (var k in l.Missing) s.AppendLine($"    missing  {k}: {english[k]}");
                foreach (var k in l.Extra) s.AppendLine($"    extra    {k}");
                foreach (var k in l.Mismatched) s.AppendLine($"    placeholders  {k}: {english[k]}");
                if (drafts) foreach (var d in l.Drafts) s.AppendLine($"    draft    {d.Key}: {english[d.Key]}  =>  {d.Value}");
            }
        }
        foreach (var o in orphans) s.AppendLine($"{o}: no English file beside it");
        var errors = sources.Sum(x => x.Errors.Count()) + orphans.Count;
        var draftCount = sources.Sum(x => x.Languages.Where(l => only is null || l.Code == only).Sum(l => l.Drafts.Count));
        s.AppendLine($"{sources.Count} English files, {errors} problems, {draftCount} drafts waiting for a native speaker");
        return s.ToString();
    }

    private static IEnumerable<string> Files(string root) =>
        Directory.EnumerateDirectories(root)
            .Where(d => Path.GetFileName(d) is var name && !name.StartsWith('.') && !Skipped.Contains(name))
            .SelectMany(Files)
            .Concat(Directory.EnumerateFiles(root, "*.resx"));

    /// <summary>"km" for Texts.km.resx; null for a base file (Texts.resx, or Texts.Other.resx where Other is no culture).</summary>
    private static string? CultureOf(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        var dot = stem.LastIndexOf('.');
        if (dot < 0) return null;
        var tag = stem[(dot + 1)..];
        try
        {
            return CultureInfo.GetCultureInfo(tag, predefinedOnly: true).Name.Length > 0 ? tag : null;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }

    private static string BaseOf(string languageFile)
    {
        var stem = Path.GetFileNameWithoutExtension(languageFile);
        return Path.Combine(Path.GetDirectoryName(languageFile)!, stem[..stem.LastIndexOf('.')] + ".resx");
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
