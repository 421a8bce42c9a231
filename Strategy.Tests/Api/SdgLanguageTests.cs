using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// The SDG catalogue in the members' languages: each title in the language asked for where the shipped translations
/// have it (Strategy.Infrastructure/ReferenceData/translations), English otherwise, and each item says which.
/// </summary>
public sealed class SdgLanguageTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static string ReferenceData(params string[] parts) =>
        Path.Combine([Path.GetDirectoryName(Path.GetDirectoryName(OpenApiContractTests.ContractPath()))!, "Strategy.Infrastructure", "ReferenceData", .. parts]);

    /// <summary>The title of a code in one of the shipped CSV files (kind,code,field,text, or the English goal,target,title).</summary>
    private static string Csv(string file, Func<string[], bool> match, int column)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(file) { TextFieldType = Microsoft.VisualBasic.FileIO.FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        parser.ReadFields();
        while (parser.ReadFields() is { } row)
            if (match(row)) return row[column];
        throw new InvalidOperationException($"No such row in {file}.");
    }

    private static string Translated(string file, string code) =>
        Csv(ReferenceData("translations", file), r => r[0] == "target" && r[1] == code && r[2] == "title", 3);

    private async Task<JsonElement> Target132(string query, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/sdg/targets?goal=13" + query);
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await api.Reviewer().SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Vary.ShouldContain("Accept-Language");
        var targets = await response.Json();
        return targets.EnumerateArray().Single(t => t.GetProperty("target").GetString() == "13.2");
    }

    [Theory]
    [InlineData("km", "km.csv")]
    [InlineData("lo", "lo.csv")]
    [InlineData("my", "my.csv")]
    [InlineData("zh", "zh-Hans.csv")]
    public async Task Target_13_2_in_a_members_language_is_the_shipped_translation(string lang, string file)
    {
        var target = await Target132("&lang=" + lang);
        target.GetProperty("title").GetString().ShouldBe(Translated(file, "13.2"));
        target.GetProperty("lang").GetString().ShouldBe(lang);
        var english = Csv(ReferenceData("targets.csv"), r => r[1] == "13.2", 2);
        target.GetProperty("title").GetString().ShouldNotBe(english);
    }

    [Fact]
    public async Task Thai_has_no_open_translation_so_it_falls_back_to_English_and_says_so()
    {
        var target = await Target132("&lang=th");
        target.GetProperty("title").GetString().ShouldBe(Csv(ReferenceData("targets.csv"), r => r[1] == "13.2", 2));
        target.GetProperty("lang").GetString().ShouldBe("en");
        target.GetProperty("indicators").EnumerateArray().ShouldAllBe(i => i.GetProperty("lang").GetString() == "en");
    }

    [Fact]
    public async Task Accept_Language_chooses_when_lang_is_absent_and_lang_wins_when_both_are_given()
    {
        (await Target132("", "th;q=0.2, km-KH, en;q=0.5")).GetProperty("lang").GetString().ShouldBe("km");
        (await Target132("&lang=zh-Hans", "km")).GetProperty("lang").GetString().ShouldBe("zh");
        (await Target132("", "fr, de;q=0.8")).GetProperty("lang").GetString().ShouldBe("en");
    }

    [Fact]
    public async Task An_unknown_language_is_English_not_an_error()
    {
        var target = await Target132("&lang=xx-YY");
        target.GetProperty("lang").GetString().ShouldBe("en");
        var goals = await (await api.Reviewer().GetAsync("/api/sdg/goals?lang=km")).Json();
        var climate = goals.EnumerateArray().Single(g => g.GetProperty("goal").GetInt32() == 13);
        climate.GetProperty("lang").GetString().ShouldBe("km");
        climate.GetProperty("title").GetString().ShouldBe(Csv(ReferenceData("translations", "km.csv"), r => r[0] == "goal" && r[1] == "13" && r[2] == "title", 3));
    }
}
