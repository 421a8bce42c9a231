using System.Security.Claims;
using Strategy.Domain;

namespace Strategy.Api.Auth;

public static class Claims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Country = "country";
    /// <summary>The address a provider vouches for (OpenID Connect's standard claims); it makes a contact where none exists.</summary>
    public const string Email = "email";
    public const string EmailVerified = "email_verified";

    public static string RoleName(Role role) => Infrastructure.Store.ActorRef.RoleName(role);

    /// <summary>The claims of one caller, as a token carries them and as a web session holds them.</summary>
    public static List<Claim> For(string sub, string name, string role, string? country, string? email = null)
    {
        var claims = new List<Claim> { new(Subject, sub), new(Name, name), new(Role, role) };
        if (country is not null) claims.Add(new Claim(Country, country));
        if (email is not null) claims.Add(new Claim(Email, email));
        return claims;
    }

    public static Role? ParseRole(string? value) => value switch
    {
        "secretariat" => Domain.Role.Secretariat,
        "focal-point" => Domain.Role.FocalPoint,
        "reviewer" => Domain.Role.Reviewer,
        "admin" => Domain.Role.Admin,
        _ => null,
    };
}

/// <summary>
/// The caller, from the validated token of the current request. Fails closed: a request without a valid token has no
/// actor (401), and work outside a request (a background job, start-up seeding) acts as the system only once it says so
/// with <see cref="ActAsSystem"/>, so nothing can become the system (an admin) by accident.
/// </summary>
public sealed class CurrentActor(IHttpContextAccessor http)
{
    private Actor? actor;

    public Actor Actor => actor ??= http.HttpContext is { } context
        ? From(context.User)
        : throw new InvalidOperationException("There is no request here to take a caller from; work outside a request calls ActAsSystem first.");

    /// <summary>Declares that the work of this scope (a job, a hosted service) is the system's own.</summary>
    public void ActAsSystem()
    {
        if (http.HttpContext is not null) throw new InvalidOperationException("A request acts as its caller, never as the system.");
        actor = Actor.System;
    }

    public static Actor From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) throw new UnauthorizedAccessException("The request carries no valid token.");
        var role = Claims.ParseRole(user.FindFirstValue(Claims.Role))
            ?? throw new UnauthorizedAccessException("The token carries no known role.");
        return new Actor(user.FindFirstValue(Claims.Subject) ?? "unknown", user.FindFirstValue(Claims.Name) ?? "", role, user.FindFirstValue(Claims.Country));
    }
}
