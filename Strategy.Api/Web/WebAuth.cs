using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Strategy.Api.Auth;

namespace Strategy.Api.Web;

/// <summary>
/// Sign-in for the web screens: a cookie session holding the same claims a token carries (sub, name, role, country),
/// opened by the OpenID Connect provider the API trusts, or in development by a page that picks a role. The API keeps
/// bearer tokens only: a cookie never authenticates an /api call, so a cross-site page cannot use a session there.
/// </summary>
public static class WebAuth
{
    /// <summary>Chooses, per request, bearer tokens (the API and operations) or the session cookie (the screens).</summary>
    public const string Selector = "api-or-web";
    public const string Cookie = "web";
    public const string Oidc = "oidc";
    public const string SignInPath = "/signin";
    public const string DeniedPath = "/denied";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    /// <summary>Paths the screens own; the rest (the API, health, its documents, the dashboard) take bearer tokens.</summary>
    public static bool IsScreen(HttpRequest request) =>
        !(request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hangfire") || request.Path.StartsWithSegments("/health")
          || request.Path.StartsWithSegments("/openapi") || request.Path.StartsWithSegments("/scalar"));

    /// <summary>A request a person's browser makes to a screen: a screen path without a bearer token (an API client sends one).</summary>
    public static bool ServesScreen(HttpRequest request) => request.Headers.Authorization.Count == 0 && IsScreen(request);

    public static bool UsesOidc(AuthSettings settings) => settings.Authority.Length > 0 && settings.ClientId.Length > 0;

    public static bool DevelopmentSignIn(AuthSettings settings, IHostEnvironment environment) =>
        settings.DevelopmentSignIn ?? environment.IsDevelopment();

    public static AuthenticationBuilder AddWebSignIn(this AuthenticationBuilder auth, AuthSettings settings, IHostEnvironment environment)
    {
        if (settings.DevelopmentSignIn == true && environment.IsProduction())
            throw new InvalidOperationException("Auth:DevelopmentSignIn lets anyone sign in as any role; the Production environment refuses it. Configure Auth:ClientId for OpenID Connect.");

        auth.AddPolicyScheme(Selector, "Bearer token for the API, session cookie for the screens", o =>
            o.ForwardDefaultSelector = http => ServesScreen(http.Request) ? Cookie : JwtBearerDefaults.AuthenticationScheme);

        auth.AddCookie(Cookie, o =>
        {
            o.Cookie.Name = "strategy-session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // As long as a development token lasts by default, and no longer however active the session is.
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = false;
            o.LoginPath = SignInPath;
            o.AccessDeniedPath = DeniedPath;
            o.ReturnUrlParameter = "returnUrl";
            // A session is one usable identity, checked as a token is, whatever put it there.
            o.Events.OnValidatePrincipal = c =>
            {
                if (c.Principal is null || !Policies.IsValidCaller(c.Principal)) c.RejectPrincipal();
                return Task.CompletedTask;
            };
        });

        if (UsesOidc(settings))
            auth.AddOpenIdConnect(Oidc, o =>
            {
                o.Authority = settings.Authority;
                o.ClientId = settings.ClientId;
                if (settings.ClientSecret.Length > 0) o.ClientSecret = settings.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.SignInScheme = Cookie;
                o.SaveTokens = false;
                // The provider's claim names as they are (sub, name, role, country), as the API reads them from its tokens.
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                // The address makes the person a contact for mail when the secretariat has not recorded one.
                o.Scope.Add(Claims.Email);
                o.ClaimActions.MapUniqueJsonKey(Claims.Email, Claims.Email);
                o.ClaimActions.MapUniqueJsonKey(Claims.EmailVerified, Claims.EmailVerified);
                o.ClaimActions.MapUniqueJsonKey(Claims.Name, Claims.Name);
                o.ClaimActions.MapJsonKey(Claims.Role, Claims.Role);
                o.ClaimActions.MapJsonKey(Claims.Country, Claims.Country);
                o.TokenValidationParameters.NameClaimType = Claims.Name;
                o.TokenValidationParameters.RoleClaimType = Claims.Role;
                // The session ends with the cookie's 8 hours, or sooner with the provider's id token.
                o.UseTokenLifetime = true;
            });
        return auth;
    }

    /// <summary>A return address on this site only, so the sign-in page cannot be used to send people elsewhere.</summary>
    public static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    public static void MapWebSignIn(this WebApplication app, AuthSettings settings)
    {
        if (UsesOidc(settings))
            app.MapGet("/signin/oidc", (string? returnUrl) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = LocalOrHome(returnUrl) }, [Oidc])).ExcludeFromDescription();

        // A form post (with its antiforgery token), never a link: a cross-site page cannot sign anyone out.
        app.MapPost("/signout", async (HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
        {
            // Checked here: the antiforgery middleware checks form posts but refuses only those that bind the form,
            // and does not look at other content types (a cross-site text/plain post) at all.
            var valid = http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { } checkedForm
                ? checkedForm.IsValid
                : await antiforgery.IsRequestValidAsync(http);
            if (!valid)
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form's token is missing or invalid.");
            await http.SignOutAsync(Cookie);
            if (UsesOidc(settings) && http.User.Identity?.IsAuthenticated == true)
                return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [Oidc]);
            return Results.LocalRedirect(SignInPath);
        }).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute())
            // The screens' plumbing, not part of the API's contract.
            .ExcludeFromDescription();
    }
}
