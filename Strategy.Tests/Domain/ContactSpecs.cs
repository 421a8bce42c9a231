using Strategy.Domain;
using Strategy.Domain.Notifications;

namespace Strategy.Tests.Domain;

/// <summary>The contact a sign-in gives, without a database.</summary>
public sealed class ContactSpecs
{
    [Fact]
    public void A_focal_points_sign_in_gives_a_contact_of_its_role_country_and_screen_language_with_the_default_notices()
    {
        var contact = Notices.FromSignIn("fp-kh", " Sokha Chan ", " sokha.chan@moe.gov.kh ", Role.FocalPoint, "KH", "km").ShouldNotBeNull();
        contact.ShouldBe(new Contact("fp-kh", "Sokha Chan", "sokha.chan@moe.gov.kh", Role.FocalPoint, "KH", "km"));
        contact.Wants(NoticeKind.RoundOpened).ShouldBeTrue();
        contact.Wants(NoticeKind.ValueAccepted).ShouldBeFalse();
    }

    [Fact]
    public void Without_a_name_the_address_names_it_and_only_a_focal_point_keeps_a_country()
    {
        var contact = Notices.FromSignIn("sec-9", null, "desk@lmec.example", Role.Secretariat, "CN", "zh").ShouldNotBeNull();
        contact.Name.ShouldBe("desk@lmec.example");
        contact.Country.ShouldBeNull();
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("")]
    [InlineData(null)]
    public void An_address_the_secretariat_could_not_record_gives_no_contact(string? email) =>
        Notices.FromSignIn("fp-kh", "Sokha", email, Role.FocalPoint, "KH", "en").ShouldBeNull();

    [Fact]
    public void A_language_the_service_does_not_speak_gives_no_contact() =>
        Notices.FromSignIn("fp-kh", "Sokha", "a@b.test", Role.FocalPoint, "KH", "fr").ShouldBeNull();
}
