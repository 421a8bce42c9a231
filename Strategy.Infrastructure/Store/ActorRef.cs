using JasperFx.Events;
using Strategy.Domain;


namespace Strategy.Infrastructure.Store;

/// <summary>Who appended an event, as recorded in Marten's event metadata (user name and headers).</summary>
public sealed record ActorRef(string Id, string? Name, string? Role, string? Country)
{
    public const string NameHeader = "actor-name";
    public const string RoleHeader = "actor-role";
    public const string CountryHeader = "actor-country";

    public static ActorRef From(IEvent e) => new(e.UserName ?? "unknown", Header(e, NameHeader), Header(e, RoleHeader), Header(e, CountryHeader));

    public static string RoleName(Domain.Role role) => role switch
    {
        Domain.Role.Secretariat => "secretariat",
        Domain.Role.FocalPoint => "focal-point",
        Domain.Role.Reviewer => "reviewer",
        _ => "admin",
    };

    /// <summary>Whether the actor was the secretariat or an admin (a method: a property would be stored with every view).</summary>
    public bool ActsForSecretariat() => Role == RoleName(Domain.Role.Secretariat) || Role == RoleName(Domain.Role.Admin);

    private static string? Header(IEvent e, string key) =>
        e.Headers is { } h && h.TryGetValue(key, out var v) && v is not null ? v.ToString() : null;
}
