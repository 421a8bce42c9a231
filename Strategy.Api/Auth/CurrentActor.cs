using System.Security.Claims;
using Strategy.Domain;

namespace Strategy.Api.Auth;

public static class Claims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Country = "country";

    public static string RoleName(Role role) => Infrastructure.Store.ActorRef.RoleName(role);

    public static Role? ParseRole(string? value) => value switch
    {
        "secretariat" => Domain.Role.Secretariat,
        "focal-point" => Domain.Role.FocalPoint,
        "reviewer" => Domain.Role.Reviewer,
        "admin" => Domain.Role.Admin,
        _ => null,
    };
}

/// <summary>The caller, from the validated token of the current request (the system actor outside requests).</summary>
public sealed class CurrentActor(IHttpContextAccessor http)
{
    private Actor? actor;

    public Actor Actor => actor ??= From(http.HttpContext?.User);

    public static Actor From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return Actor.System;
        var role = Claims.ParseRole(user.FindFirstValue(Claims.Role))
            ?? throw new UnauthorizedAccessException("The token carries no known role.");
        return new Actor(user.FindFirstValue(Claims.Subject) ?? "unknown", user.FindFirstValue(Claims.Name) ?? "", role, user.FindFirstValue(Claims.Country));
    }
}
