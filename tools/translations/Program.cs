using Strategy.Translations;

// tools/translations/check.sh [--lang km] [--summary]: what is missing, and what is still a draft, per language.
var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, Args("--root") ?? FindRoot()));
var only = Args("--lang");
if (only is not null && !TranslationCheck.Members.Contains(only))
{
    Console.Error.WriteLine($"--lang is one of {string.Join(", ", TranslationCheck.Members)}");
    return 2;
}
var sources = TranslationCheck.Run(root);
var orphans = TranslationCheck.Orphans(root);
Console.Write(TranslationCheck.Describe(sources, orphans, drafts: !args.Contains("--summary"), only));
return sources.Any(s => s.Languages.Any(l => (only is null || l.Code == only) && l.Errors.Any())) || orphans.Count > 0 ? 1 : 0;

string? Args(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

// The repository: the folder above that holds Strategy.sln.
static string FindRoot()
{
    var dir = new DirectoryInfo(Environment.CurrentDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Strategy.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("Run it inside the repository (no Strategy.sln above this folder), or pass --root.");
}
