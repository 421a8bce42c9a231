using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.Logging;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using System.Security.Claims;
using Strategy.Api.Auth;
using Strategy.Api.Features.Reports;
using Strategy.Domain;
using Strategy.Infrastructure.Reports;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Hosting;

public static class JobSetup
{
    public static string HangfireSchema(StoreSettings store) => store.Schema + "_hangfire";

    public static PostgreSqlStorageOptions StorageOptions(StoreSettings store, JobSettings jobs) => new()
    {
        SchemaName = HangfireSchema(store),
        PrepareSchemaIfNecessary = store.ApplySchemaOnStartup,
        // Jobs are short; poll often so a requested report starts within a fraction of a second.
        QueuePollInterval = TimeSpan.FromMilliseconds(200),
        // A worker that fetches a job marks it invisible to the others. Its server renews the mark every fifth of the
        // timeout while the job runs (sliding), so a long job is never handed to a second worker while its node lives,
        // and a job whose node died (crash, SIGKILL, lost pod) is fetched again by any node once the timeout has passed
        // since the last renewal. Shorter: faster recovery, one more small update per running job per period, and a
        // second run of a job whose node stalls (or loses the database) for longer than the timeout; report jobs are
        // idempotent, so that second run costs time only.
        InvisibilityTimeout = TimeSpan.FromSeconds(jobs.InvisibilityTimeoutSeconds),
        UseSlidingInvisibilityTimeout = true,
    };

    /// <summary>
    /// Hangfire on PostgreSQL with its storage and activator registered per container rather than in Hangfire's
    /// static JobStorage.Current, so several hosts in one process (tests) never share or overwrite each other's.
    /// </summary>
    public static IServiceCollection AddStrategyJobs(this IServiceCollection services, StoreSettings store, IConfiguration config)
    {
        var settings = config.GetSection("Jobs").Get<JobSettings>() ?? new JobSettings();
        // The renewal runs every fifth of the timeout, on a loop that wakes once a second.
        if (settings.InvisibilityTimeoutSeconds < 5)
            throw new InvalidOperationException("Jobs:InvisibilityTimeoutSeconds must be at least 5.");
        services.AddSingleton(settings);
        services.AddSingleton<ReportInputsLoader>();
        services.AddSingleton<ReportGenerator>();
        services.AddSingleton<ReportContentStore>();
        services.AddSingleton<ReportNotifications>();
        services.AddScoped<ReportJob>();
        services.AddScoped<ScheduledJobs>();
        services.AddSingleton(config.GetSection("Mail").Get<Strategy.Infrastructure.Notifications.MailSettings>() ?? new());
        services.AddSingleton<Strategy.Infrastructure.Notifications.MailDispatcher>();
        services.AddSingleton<Strategy.Infrastructure.Notifications.DeadlineReminders>();
        services.AddSingleton<Strategy.Infrastructure.Notifications.WeeklyDigests>();
        services.AddSingleton<Strategy.Infrastructure.Notifications.IUnsubscribeTokens, Features.Notifications.DataProtectionUnsubscribeTokens>();
        services.AddScoped<Features.Notifications.Unsubscriptions>();
        services.AddScoped<Features.Notifications.MailJobs>();

        var options = StorageOptions(store, settings);
        services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new NpgsqlConnectionFactory(store.ConnectionString, options), options));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (config.GetValue("Jobs:RunServer", true))
        {
            services.AddHangfireServer((sp, o) =>
            {
                o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{store.Schema}";
            });
            // Off where a run must not be disturbed by the clock (benchmarks, tests): the daily overdue check would
            // append events to every commitment past its due date at 00:30 UTC.
            if (config.GetValue("Jobs:Recurring", true)) services.AddHostedService<RecurringJobsRegistrar>();
        }
        return services;
    }

    /// <summary>
    /// Hangfire's log provider is process-wide (static), so with several hosts in one process (tests, two nodes) it
    /// holds the logger factory of whichever host configured it last. Once that host stopped, anything Hangfire then
    /// logged or merely created a logger for (the first Enqueue builds its retry filter) threw ObjectDisposedException,
    /// and POST /api/reports answered 500. A stopped host's logs go nowhere instead.
    /// </summary>
    private sealed class HostLogProvider(ILoggerFactory factory) : ILogProvider
    {
        private readonly AspNetCoreLogProvider inner = new(factory);

        public ILog GetLogger(string name)
        {
            try
            {
                return new HostLog(inner.GetLogger(name));
            }
            catch (ObjectDisposedException)
            {
                return new HostLog(null);
            }
        }
    }

    private sealed class HostLog(ILog? inner) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (inner is null) return false;
            try
            {
                return inner.Log(logLevel, messageFunc, exception);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The dashboard: admins and the secretariat (bearer token), or anyone local in Development. Only an admin acts from
    /// it (triggers, requeues, deletes jobs); for everyone else it is read-only, as operations are the admin's.
    /// </summary>
    public static WebApplication UseStrategyDashboard(this WebApplication app)
    {
        var allowLocal = app.Environment.IsDevelopment();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new DashboardAccess(allowLocal)],
            IsReadOnlyFunc = context => !IsAdmin(context.GetHttpContext()),
            DashboardTitle = "Strategy jobs",
            DisplayStorageConnectionString = false,
            // Callers authenticate with a bearer token, which a browser does not send by itself: no cross-site form to
            // guard (the antiforgery service the screens register would otherwise refuse the dashboard's own posts).
            IgnoreAntiforgeryToken = true,
        });
        return app;
    }

    private static bool IsAdmin(HttpContext http) =>
        Policies.IsValidCaller(http.User) && Claims.ParseRole(http.User.FindFirstValue(Claims.Role)) == Role.Admin;

    private sealed class DashboardAccess(bool allowLocal) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (Policies.IsValidCaller(http.User) && Claims.ParseRole(http.User.FindFirstValue(Claims.Role)) is Role.Admin or Role.Secretariat) return true;
            if (!allowLocal) return false;
            var remote = http.Connection.RemoteIpAddress;
            return remote is not null && System.Net.IPAddress.IsLoopback(remote);
        }
    }
}
