using Strategy.Api.Http;
using Strategy.Translations;
using Xunit.Abstractions;

namespace Strategy.Tests.Translations;

/// <summary>
/// Issue 14, acceptance 3: every English .resx in the repository has a file per member language with exactly its keys.
/// Drafts (comment "draft", not yet checked by a native speaker) pass, and are counted and listed in the test output.
/// </summary>
public sealed class TranslationTests(ITestOutputHelper output)
{
    /// <summary>The repository's root: the folder above the tests' build output that holds Strategy.sln.</summary>
    internal static string Repository()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Strategy.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("no Strategy.sln above the tests");
        return dir;
    }

    [Fact]
    public void Every_english_resx_has_every_key_in_every_member_language_and_no_other()
    {
        var root = Repository();
        var sources = TranslationCheck.Run(root);
        var orphans = TranslationCheck.Orphans(root);
        output.WriteLine(TranslationCheck.Describe(sources, orphans, drafts: true));

        sources.Select(s => s.Path).ShouldContain("Strategy.Api/Web/Resources/ScreenText.resx");
        sources.Select(s => s.Path).ShouldContain("Strategy.Infrastructure/Notifications/Resources/MailText.resx");
        sources.SelectMany(s => s.Errors).Concat(orphans).ShouldBeEmpty();
    }

    /// <summary>The screens name these by code (Words, ScreenErrors); a key the resources lack would show as the key itself.</summary>
    [Fact]
    public void Every_code_the_screens_put_in_words_has_its_text()
    {
        var keys = TranslationCheck.Read(Path.Combine(Repository(), "Strategy.Api", "Web", "Resources", "ScreenText.resx")).Select(t => t.Key).ToHashSet();
        string[] named =
        [
            .. Enum.GetValues<Strategy.Domain.Commitments.CommitmentStatus>().Select(s => $"Status.{s}"),
            .. Enum.GetValues<Strategy.Domain.Progress.Health>().Select(h => $"Health.{h}"),
            .. Enum.GetValues<Strategy.Domain.Commitments.ValueState>().Select(s => $"ValueState.{s}"),
            .. Enum.GetValues<Strategy.Domain.Reports.ReportKind>().Select(k => $"ReportKind.{k}"),
            .. Enum.GetValues<Strategy.Domain.Reports.ReportStatus>().Select(s => $"ReportStatus.{s}"),
            .. Enum.GetValues<Strategy.Api.Features.Commitments.WorkReason>().Select(r => $"Reason.{r}"),
            .. Strategy.Api.Web.Words.DoneCodes.Select(c => $"Done.{c}"),
            .. Strategy.Infrastructure.Projections.CommitmentEventLog.Types.Keys.Select(t => $"Event.{Strategy.Api.Features.Commitments.HistoryEntries.TypeName(t)}"),
            .. new[] { 404, 413, 429, 500, 503, 418 }.SelectMany(s => new[] { $"Error.{Strategy.Api.Web.ScreenErrors.Name(s)}.Title", $"Error.{Strategy.Api.Web.ScreenErrors.Name(s)}.Detail" }),
            .. Enum.GetValues<Strategy.Domain.Role>().Select(r => $"Role.{Strategy.Api.Auth.Claims.RoleName(r)}"),
            .. Enum.GetValues<Strategy.Domain.Notifications.NoticeKind>().Select(k => $"Notice.{Strategy.Domain.Notifications.Notices.Name(k)}"),
        ];
        named.Where(k => !keys.Contains(k)).ShouldBeEmpty();
    }

    [Fact]
    public void The_check_asks_for_the_languages_the_service_speaks() =>
        TranslationCheck.Members.ShouldBe(Languages.Supported.Where(l => l != Languages.English));

    [Fact]
    public void A_missing_key_an_extra_key_a_missing_file_and_a_broken_placeholder_are_each_found_and_drafts_are_counted()
    {
        var root = Directory.CreateTempSubdirectory("translations").FullName;
        try
        {
            Resx(root, "Texts.resx", ("Hello", "Hello {0}", false), ("Bye", "Bye", false));
            foreach (var code in TranslationCheck.Members.Where(c => c is not ("km" or "lo" or "vi")))
                Resx(root, $"Texts.{code}.resx", ("Hello", "{0} hello", true), ("Bye", "bye", false));
            Resx(root, "Texts.km.resx", ("Hello", "សួស្ដី {0}", true));
            Resx(root, "Texts.lo.resx", ("Hello", "ສະບາຍດີ {0}", false), ("Bye", "ລາກ່ອນ", false), ("Later", "ພາຍຫຼັງ", false));
            Resx(root, "Orphan.th.resx", ("Hello", "สวัสดี", false));
            Directory.CreateDirectory(Path.Combine(root, "bin"));
            Resx(Path.Combine(root, "bin"), "Built.resx", ("Hello", "Hello", false));
            Resx(root, "Texts.zh.resx", ("Hello", "你好", true), ("Bye", "再见", false));

            var source = TranslationCheck.Run(root).ShouldHaveSingleItem();
            var errors = source.Errors.ToList();
            output.WriteLine(TranslationCheck.Describe([source], TranslationCheck.Orphans(root), drafts: true));

            errors.ShouldBe([
                "Texts.km.resx: no Bye",
                "Texts.lo.resx: Later is not in the English file",
                "Texts.vi.resx: missing",
                "Texts.zh.resx: Hello has other placeholders or tags than the English text",
            ], ignoreOrder: true);
            source.Languages.Single(l => l.Code == "km").Drafts.Select(d => d.Key).ShouldBe(["Hello"]);
            source.Languages.Sum(l => l.Drafts.Count).ShouldBe(4, "km, my, th and zh each have one");
            TranslationCheck.Orphans(root).ShouldBe(["Orphan.th.resx"]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Resx(string dir, string name, params (string Key, string Value, bool Draft)[] texts) =>
        new System.Xml.Linq.XDocument(new System.Xml.Linq.XElement("root", texts.Select(t => new System.Xml.Linq.XElement("data",
            new System.Xml.Linq.XAttribute("name", t.Key), new System.Xml.Linq.XElement("value", t.Value),
            t.Draft ? new System.Xml.Linq.XElement("comment", "draft") : null)))).Save(Path.Combine(dir, name));
}
