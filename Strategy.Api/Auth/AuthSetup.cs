using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Strategy.Api.Web;
using Strategy.Domain;

namespace Strategy.Api.Auth;

public sealed class AuthSettings
{
    public string Issuer { get; set; } = "strategy-local";
    public string Audience { get; set; } = "strategy-api";
    /// <summary>
    /// The key in appsettings.Development.json. It is published with the source, so anyone can sign with it: a host
    /// refuses it outside Development.
    /// </summary>
    public const string DevelopmentKey = "strategy-development-signing-key-not-for-production-use";

    /// <summary>Symmetric key trusted in Development and tests. Empty in production, which uses <see cref="Authority"/>.</summary>
    public string SigningKey { get; set; } = "";
    /// <summary>An OpenID Connect provider's issuer URL; when set, tokens are validated against its published keys.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The web screens' client at <see cref="Authority"/>: with it, people sign in there (OpenID Connect, code flow).</summary>
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";

    /// <summary>
    /// The web screens' development sign-in page, where anyone picks a role and country: on by default in Development,
    /// refused in Production.
    /// </summary>
    public bool? DevelopmentSignIn { get; set; }

    public SymmetricSecurityKey? Key => SigningKey.Length == 0 ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey));
}

public static class Policies
{
    public static readonly string[] AsymmetricAlgorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    public const string Read = "read";
    public const string Operations = "operations";
    public const string Audit = "audit";

    public static IServiceCollection AddStrategyAuth(this IServiceCollection services, IConfiguration config, IHostEnvironment environment)
    {
        var settings = config.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        if (settings.SigningKey == AuthSettings.DevelopmentKey && !environment.IsDevelopment())
            throw new InvalidOperationException(
                $"Auth:SigningKey is the published development key, which anyone can sign with; the {environment.EnvironmentName} environment refuses it. Configure Auth:Authority, or a key of your own.");
        if (settings.Authority.Length == 0 && settings.Key is null)
            throw new InvalidOperationException("Configure Auth:Authority (an OpenID Connect provider) or, for development, Auth:SigningKey.");
        if (settings.Key is { } key && key.KeySize < 256)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes.");

        services.AddSingleton(settings);
        var auth = services.AddAuthentication(Web.WebAuth.Selector).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            if (settings.Authority.Length > 0) o.Authority = settings.Authority;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuer = settings.Authority.Length > 0 ? settings.Authority : settings.Issuer,
                ValidateAudience = true,
                ValidAudience = settings.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                // RFC 8725 3.1: the algorithms are the server's choice, never the token's.
                ValidAlgorithms = settings.Authority.Length > 0 ? AsymmetricAlgorithms : [SecurityAlgorithms.HmacSha256],
                IssuerSigningKey = settings.Authority.Length > 0 ? null : settings.Key,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = Claims.Name,
                RoleClaimType = Claims.Role,
            };
        });
        auth.AddWebSignIn(settings, environment);
        services.AddAuthorizationBuilder()
            .AddPolicy(Read, p => p.RequireAuthenticatedUser().RequireAssertion(c => IsValidCaller(c.User)))
            .AddPolicy(Operations, p => p.RequireRole("admin", "secretariat"))
            .AddPolicy(Audit, p => p.RequireRole("secretariat", "reviewer", "admin"));
        return services;
    }

    /// <summary>
    /// A caller needs a subject and exactly one known role, and a focal point also its country (one). A token with two
    /// roles or two countries is refused: the actor is read from the first claim, while a role requirement is met by
    /// any, so a focal point that also claimed "reviewer" could have exported the audit log or opened the dashboard.
    /// </summary>
    public static bool IsValidCaller(ClaimsPrincipal user)
    {
        var roles = user.FindAll(Claims.Role).ToList();
        if (roles.Count != 1 || Claims.ParseRole(roles[0].Value) is not { } role) return false;
        // The subject and name are recorded with every change and shown in every read of it: their size is bounded.
        if (user.FindFirstValue(Claims.Subject) is not { Length: > 0 and <= Http.MemberLimits.MaxSubjectLength }) return false;
        if (user.FindFirstValue(Claims.Name) is { Length: > Codes.MaxTitleLength }) return false;
        var countries = user.FindAll(Claims.Country).ToList();
        if (countries.Count > 1) return false;
        if (countries.Count == 1 && !Codes.CountryCode().IsMatch(countries[0].Value)) return false;
        return role != Role.FocalPoint || countries.Count == 1;
    }
}
