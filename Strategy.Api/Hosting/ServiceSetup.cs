using Strategy.Infrastructure.Audit;
using System.Diagnostics;
using FluentValidation;
using JasperFx.Events.Daemon;
using Marten;
using Mediator;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Strategy.Api.Auth;
using Strategy.Api.Features.Audit;
using Strategy.Api.Features.Commitments;
using Strategy.Api.Features.Evidence;
using Strategy.Api.Features.Plans;
using Strategy.Api.Features.Reports;
using Strategy.Api.Features.Sdg;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Api.Web;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Evidence;
using Strategy.Infrastructure.ReferenceData;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Hosting;

public static class ServiceSetup
{
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    public static StoreSettings StoreSettings(IConfiguration config)
    {
        var connection = config.GetConnectionString("Strategy");
        if (string.IsNullOrWhiteSpace(connection))
            throw new InvalidOperationException("Set ConnectionStrings:Strategy (env ConnectionStrings__Strategy) to a PostgreSQL connection string.");
        var daemon = config["Database:DaemonMode"] ?? nameof(DaemonMode.HotCold);
        if (!Enum.TryParse<DaemonMode>(daemon, ignoreCase: true, out var mode))
            throw new InvalidOperationException("Database:DaemonMode is HotCold (several nodes; one runs the async projections), Solo or Disabled.");
        try
        {
            connection = ConnectionDefaults.Apply(connection);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"ConnectionStrings:Strategy is not a valid PostgreSQL connection string: {e.Message}");
        }
        return new StoreSettings(connection, config["Database:Schema"] ?? "strategy", config.GetValue("Database:ApplySchemaOnStartup", true), mode);
    }

    /// <summary><c>Limits:AsOfSeconds</c>, <c>Limits:ExportSeconds</c> and <c>Limits:ExportConnections</c> (<see cref="ReadLimits"/>).</summary>
    public static ReadLimits ReadLimitsFrom(IConfiguration config)
    {
        var d = ReadLimits.Default;
        var asOf = config.GetValue("Limits:AsOfSeconds", d.AsOf.TotalSeconds);
        var export = config.GetValue("Limits:ExportSeconds", d.Export.TotalSeconds);
        var connections = config.GetValue("Limits:ExportConnections", d.ExportConnections);
        if (asOf <= 0 || export <= 0 || connections < 1)
            throw new InvalidOperationException("Limits:AsOfSeconds and Limits:ExportSeconds must be more than 0, Limits:ExportConnections at least 1.");
        return new ReadLimits(TimeSpan.FromSeconds(asOf), TimeSpan.FromSeconds(export), connections);
    }

    public static WebApplicationBuilder AddStrategy(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        var store = StoreSettings(config);

        services.AddSingleton(store);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SdgCatalog>();
        services.AddSingleton<EvidenceStore>();
        var checkpointKey = CheckpointKeys.Load(config, builder.Environment);
        services.AddSingleton(sp => new AuditCheckpointStore(sp.GetRequiredService<IDocumentStore>(), store, sp.GetRequiredService<TimeProvider>(), checkpointKey));
        services.AddSingleton(config.GetSection("Health").Get<HealthThresholds>() ?? HealthThresholds.Default);

        services.AddStrategyStore(store);
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();
        services.AddSingleton<Features.Notifications.SignInContacts>();
        var recordHours = config.GetValue("Idempotency:RecordHours", 24.0);
        if (recordHours <= 0) throw new InvalidOperationException("Idempotency:RecordHours must be more than 0.");
        services.AddSingleton(new IdempotencySettings(TimeSpan.FromHours(recordHours)));
        services.AddSingleton(ReadLimitsFrom(config));
        services.AddSingleton<Strategy.Infrastructure.Projections.CommitmentAsOf>();
        services.AddSingleton<Strategy.Infrastructure.Audit.AuditExports>();
        services.AddScoped<Strategy.Infrastructure.Values.ValueReads>();
        services.AddSingleton<Strategy.Infrastructure.Projections.CountryHealthInputs>();
        services.AddScoped<Features.Values.EvidenceLookup>();
        services.AddScoped<RequestTransaction>();
        // Replaces Marten's default session: ours carries the actor and correlation metadata and can enlist in the
        // idempotency transaction.
        services.AddScoped<IDocumentSession>(RequestSession.Open);

        services.AddMediator((MediatorOptions o) =>
        {
            o.ServiceLifetime = ServiceLifetime.Scoped;
            o.PipelineBehaviors = [typeof(TracingBehaviour<,>), typeof(LoggingBehaviour<,>), typeof(AuthorizationBehaviour<,>), typeof(RequestLimitsBehaviour<,>), typeof(ValidationBehaviour<,>)];
        });
        // Validators hold only their rules: one instance each, not a new rule tree built on every request.
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
        // The rules' texts stay English on every screen language, as the API's problems are (README, "Translating").
        ValidatorOptions.Global.LanguageManager.Culture = new System.Globalization.CultureInfo("en");

        services.AddStrategyAuth(config, builder.Environment);
        services.AddStrategyRateLimits(config);
        var headerLimits = HeaderLimits.From(config);
        services.AddSingleton(headerLimits);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestHeadersTotalSize = headerLimits.MaxBytes;
            k.Limits.MaxRequestHeaderCount = headerLimits.MaxCount;
        });
        services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? c.HttpContext.TraceIdentifier;
            // The contract bounds detail (MemberLimits); a detail joining many field errors is cut, the errors member keeps them all.
            if (c.ProblemDetails.Detail is { Length: > Strategy.Domain.Codes.MaxTextLength } long_)
                c.ProblemDetails.Detail = long_[..(Strategy.Domain.Codes.MaxTextLength - 1)] + "…";
            c.ProblemDetails.Type ??= c.ProblemDetails.Status switch
            {
                413 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
                422 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
                429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                431 => "https://www.rfc-editor.org/rfc/rfc6585#section-5",
                _ => "about:blank",
            };
        });
        // Problem documents also for clients that accept no JSON (the framework's writer declines those).
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddSingleton<DatabaseProbe>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]).AddCheck<MailHealthCheck>("mail", tags: ["ready"]);
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<OpenApiContract>();
            o.AddOperationTransformer<OpenApiContract>();
            o.AddSchemaTransformer<OpenApiLimits>();
        });
        services.AddRazorComponents();
        services.AddLocalization();
        services.AddSingleton<Words>();
        services.AddKeyRing();
        services.AddStrategyJobs(store, config);
        builder.AddStrategyTelemetry();
        if (config.GetValue("Seed:DemoPlan", false)) services.AddHostedService<DemoPlanSeeder>();
        return builder;
    }

    public static WebApplication UseStrategy(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseScreenLanguage();
        app.UseExceptionHandler();
        app.UseStatusCodePages(Web.ScreenErrors.StatusPage);
        app.UseMiddleware<HeaderLimitMiddleware>();
        app.UseMiddleware<NulInUrlMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>(app.Configuration.GetValue("Limits:MaxRequestBodyBytes", DefaultMaxBodyBytes));
        app.UseAuthentication();
        // After authentication, so a caller is counted by its token's subject; before authorization, so requests
        // without a valid token are counted too (by client address).
        app.UseRateLimiter();
        app.UseAuthorization();
        Features.Notifications.SignInContacts.UseContactsFromSignIn(app);
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseAntiforgery();
        app.UseStrategyDashboard();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthDetails.WriteAsync });
        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle("Strategy API"));

        var api = app.MapGroup("/api").RequireAuthorization(Policies.Read);
        ImportPlanEndpoint.Map(api);
        AddGoalEndpoint.Map(api);
        AddOutcomeEndpoint.Map(api);
        AlignSdgTargetsEndpoint.Map(api);
        TranslatePlanEndpoint.Map(api);
        PlanReadEndpoints.Map(api);
        MakeCommitmentEndpoint.Map(api);
        ChangeStatusEndpoint.Map(api);
        Features.Values.SubmitValueEndpoint.Map(api);
        Features.Values.ReviewValueEndpoints.Map(api);
        Features.Values.ValueReadEndpoints.Map(api);
        CommentEndpoints.Map(api);
        Features.Rounds.RoundEndpoints.Map(api);
        ReviseCommitmentEndpoint.Map(api);
        TranslateCommitmentEndpoint.Map(api);
        WithdrawCommitmentEndpoint.Map(api);
        WithdrawCommitmentEndpoint.MapRestore(api);
        CommitmentReadEndpoints.Map(api);
        ListCommitmentsEndpoint.Map(api);
        SdgEndpoints.Map(api);
        AuditEndpoints.Map(api);
        RequestReportEndpoint.Map(api);
        ReportReadEndpoints.Map(api);
        EvidenceEndpoints.Map(api);
        Features.Notifications.ContactEndpoints.Map(api);
        Features.Notifications.UnsubscribeEndpoints.Map(api);

        app.MapStaticAssets();
        app.MapRazorComponents<Web.App>();
        app.MapWebSignIn(app.Services.GetRequiredService<AuthSettings>());
        app.MapLanguageSwitch();
        DownloadEvidenceEndpoint.MapForScreens(app);
        ReportReadEndpoints.MapForScreens(app);
        return app;
    }
}
