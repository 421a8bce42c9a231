using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Strategy.Api.Auth;

/// <summary>
/// <c>token --role R [--country CC] [--name N] [--sub ID] [--email ADDRESS] [--hours H]</c>: prints a token signed with the local
/// development key, and nothing else, on stdout. Errors go to stderr with exit code 2. It runs only where the
/// environment is explicitly Development (ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT), never by default.
/// </summary>
public static class TokenCommand
{
    public static int Run(string[] args) =>
        Run(args, Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"),
            Console.Out, Console.Error);

    public static int Run(string[] args, string? environment, TextWriter output, TextWriter errors)
    {
        int Fail(string message)
        {
            errors.WriteLine(message);
            return 2;
        }
        if (!string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase))
            return Fail($"token mints development tokens and runs only with ASPNETCORE_ENVIRONMENT=Development (it is {environment ?? "not set"}); elsewhere tokens come from the identity provider.");
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--") || i + 1 >= args.Length) return Fail($"Unexpected argument '{args[i]}'. Usage: token --role secretariat|focal-point|reviewer|admin [--country KH] [--name NAME] [--sub ID] [--email ADDRESS] [--hours 8]");
            options[args[i][2..]] = args[++i];
        }
        if (!options.TryGetValue("role", out var role) || Claims.ParseRole(role) is null)
            return Fail("Give --role secretariat, focal-point, reviewer or admin.");
        options.TryGetValue("country", out var country);
        if (role == "focal-point" && (country is null || !Domain.Codes.CountryCode().IsMatch(country)))
            return Fail("A focal point needs --country with an ISO 3166-1 alpha-2 code, e.g. KH.");
        var name = options.GetValueOrDefault("name") ?? (country is null ? role : $"{role} {country}");
        var sub = options.GetValueOrDefault("sub") ?? DefaultSubject(role, country);
        var hours = options.TryGetValue("hours", out var h) && double.TryParse(h, out var parsed) && parsed > 0 ? parsed : 8;

        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var settings = config.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        if (settings.Key is null) return Fail($"No Auth:SigningKey in the {environment} configuration: tokens come from the identity provider there.");

        output.WriteLine(Issue(settings, sub, name, role, country, TimeSpan.FromHours(hours), DateTimeOffset.UtcNow, options.GetValueOrDefault("email")));
        return 0;
    }

    /// <summary>The user id of a development identity: one per role and country.</summary>
    public static string DefaultSubject(string role, string? country) => $"{role}{(country is null ? "" : "-" + country.ToLowerInvariant())}";

    public static string Issue(AuthSettings settings, string sub, string name, string role, string? country, TimeSpan lifetime, DateTimeOffset now,
        string? email = null)
    {
        var claims = Claims.For(sub, name, role, country, email);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
        });
    }
}
