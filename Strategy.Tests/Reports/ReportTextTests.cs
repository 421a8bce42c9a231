using System.Globalization;
using Strategy.Api.Http;
using Strategy.Domain.Progress;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Reports;

namespace Strategy.Tests.Reports;

/// <summary>The report's texts per language, without a database: which languages have them, and the method section.</summary>
public sealed class ReportTextTests
{
    [Fact]
    public void Every_language_the_service_reads_has_the_report_texts_of_its_own()
    {
        foreach (var lang in Languages.Supported)
        {
            var text = ReportText.For(lang);
            text.Lang.ShouldBe(lang);
            if (lang != Languages.English) text["H.Summary"].ShouldNotBe(ReportText.English["H.Summary"], lang);
        }
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("")]
    [InlineData(null)]
    public void A_language_without_texts_is_English(string? lang) => ReportText.For(lang).ShouldBeSameAs(ReportText.English);

    [Fact]
    public void English_numbers_and_dates_are_invariant_and_ISO_and_Thai_years_are_of_the_Buddhist_era()
    {
        var day = new DateOnly(2026, 7, 1);
        ReportText.English.Date(day).ShouldBe("2026-07-01");
        ReportText.English.Number(1234.5).ShouldBe("1234.5");
        ReportText.English.Percent(0.655).ShouldBe("65.5 %");
        ReportText.English.Percent(null).ShouldBe("–");

        var thai = ReportText.For("th");
        thai.Culture.Name.ShouldBe("th-TH");
        thai.Culture.DateTimeFormat.Calendar.ShouldBeOfType<ThaiBuddhistCalendar>();
        thai.LongDate(day).ShouldBe("1 กรกฎาคม พ.ศ. 2569");
        thai.CalendarNote.ShouldNotBeNull();
        ReportText.For("km").CalendarNote.ShouldBeNull();
        ReportText.For("vi").Number(1234.5).ShouldBe("1.234,5");
    }

    /// <summary>The English templates in ReportText.resx are the JSON's texts: a change to either shows here.</summary>
    [Theory]
    [InlineData(0.95, 0.60, 0.95, 0.10)]
    [InlineData(0.9, 0.5, 0.85, 0.25)]
    public void Every_method_note_of_the_json_is_translated_with_its_thresholds(double onTrack, double atRisk, double anticipated, double stagnation)
    {
        var notes = ReportMethod.Notes(new HealthThresholds(onTrack, atRisk, anticipated, stagnation));
        foreach (var lang in Languages.Supported.Where(l => l != Languages.English))
        {
            var text = ReportText.For(lang);
            foreach (var note in notes)
            {
                var (name, definition, source) = text.Method(note);
                (name.InLanguage, definition.InLanguage, source.InLanguage).ShouldBe((true, true, true), $"{lang}: {note.Name}");
                definition.Text.ShouldNotBe(note.Formula);
            }
            var health = text.Method(notes.Single(n => n.Name == "health")).Definition.Text;
            health.ShouldContain(onTrack.ToString(CultureInfo.InvariantCulture));
            health.ShouldContain(atRisk.ToString(CultureInfo.InvariantCulture));
            var trend = text.Method(notes.Single(n => n.Name == "anticipated progress")).Definition.Text;
            trend.ShouldContain(stagnation.ToString(CultureInfo.InvariantCulture));
        }
        // English is the JSON's text as it is.
        var english = ReportText.English.Method(notes[2]);
        english.Definition.Text.ShouldBe(notes[2].Formula);
    }

    [Fact]
    public void A_method_note_the_resources_do_not_know_stays_in_English_and_says_so()
    {
        var changed = ReportMethod.Notes(new HealthThresholds()).Single(n => n.Name == "health") with { Formula = "A wording of another version." };
        var (name, definition, source) = ReportText.For("km").Method(changed);
        name.InLanguage.ShouldBeTrue();
        definition.ShouldBe(new ReportText.Translated("A wording of another version.", false));
        source.InLanguage.ShouldBeTrue();
        ReportText.For("km").Method(new MethodNote("new measure", "x", "y")).Name.ShouldBe(new ReportText.Translated("new measure", false));
    }
}
