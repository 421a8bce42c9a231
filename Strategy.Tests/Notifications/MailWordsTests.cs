using System.Globalization;
using Strategy.Api.Http;
using Strategy.Infrastructure.Notifications;

namespace Strategy.Tests.Notifications;

/// <summary>The mail's texts per language, without a database: which languages have them, and how dates are written.</summary>
public sealed class MailWordsTests
{
    [Fact]
    public void Every_language_the_service_speaks_has_mail_texts_of_its_own()
    {
        foreach (var lang in Languages.Supported)
        {
            var words = MailWords.For(lang);
            words.Lang.ShouldBe(lang);
            if (lang != Languages.English) words["Footer.Why"].ShouldNotBe(MailWords.English["Footer.Why"], lang);
        }
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("")]
    [InlineData(null)]
    public void A_language_without_texts_is_English(string? lang) => MailWords.For(lang).ShouldBeSameAs(MailWords.English);

    [Fact]
    public void Dates_follow_the_language_and_Thai_years_are_of_the_Buddhist_era_as_in_the_reports()
    {
        var day = new DateOnly(2025, 10, 15);
        MailWords.English.Day(day).ShouldBe("15 October 2025");
        MailWords.For("th").Culture.ShouldBe(Strategy.Infrastructure.Reports.ReportText.For("th").Culture);
        MailWords.For("th").Day(day).ShouldContain(new ThaiBuddhistCalendar().GetYear(day.ToDateTime(TimeOnly.MinValue)).ToString(CultureInfo.InvariantCulture));
        MailWords.For("km").Day(day).ShouldContain(CultureInfo.GetCultureInfo("km-KH").DateTimeFormat.GetMonthName(10));
        MailWords.For("vi").Number(1234.5).ShouldBe("1.234,5");
    }
}
