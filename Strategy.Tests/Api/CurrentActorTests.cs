using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Strategy.Api.Auth;
using Strategy.Domain;

namespace Strategy.Tests.Api;

/// <summary>The caller fails closed: no token, or no request, is never the system (an admin) unless work declares it.</summary>
public class CurrentActorTests
{
    private static CurrentActor For(HttpContext? context) => new(new HttpContextAccessor { HttpContext = context });

    [Fact]
    public void Outside_a_request_there_is_no_actor_until_the_work_acts_as_the_system()
    {
        var actor = For(null);

        Should.Throw<InvalidOperationException>(() => actor.Actor);
        actor.ActAsSystem();
        actor.Actor.ShouldBe(Actor.System);
    }

    [Fact]
    public void A_request_without_a_valid_token_has_no_actor_and_cannot_act_as_the_system()
    {
        var actor = For(new DefaultHttpContext());

        Should.Throw<UnauthorizedAccessException>(() => actor.Actor);
        Should.Throw<InvalidOperationException>(actor.ActAsSystem);
    }

    [Fact]
    public void A_request_with_a_token_acts_as_its_caller()
    {
        var identity = new ClaimsIdentity([new Claim(Claims.Subject, "fp-kh"), new Claim(Claims.Role, "focal-point"), new Claim(Claims.Country, "KH")], "Bearer");
        var actor = For(new DefaultHttpContext { User = new ClaimsPrincipal(identity) });

        actor.Actor.ShouldBe(new Actor("fp-kh", "", Role.FocalPoint, "KH"));
    }
}
