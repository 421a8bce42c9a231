namespace Strategy.Domain;

public enum Role { Secretariat, FocalPoint, Reviewer, Admin }

/// <summary>Who acts: always taken from the caller's token, never from a request body.</summary>
public sealed record Actor(string Id, string Name, Role Role, string? Country)
{
    public static readonly Actor System = new("system", "Strategy service", Role.Admin, null);

    /// <summary>Admins may do everything the secretariat may.</summary>
    public bool ActsForSecretariat => Role is Role.Secretariat or Role.Admin;

    public bool MayActFor(string country) =>
        ActsForSecretariat || (Role == Role.FocalPoint && string.Equals(Country, country, StringComparison.Ordinal));
}
