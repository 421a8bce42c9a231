using Marten;
using Strategy.Api.Auth;
using Strategy.Api.Hosting;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Store;

// `token ...` mints a development token; `verify-export ...` checks an audit export offline (no database, no
// configuration); `migrate` applies the database schema and exits (for production, where
// Database:ApplySchemaOnStartup is false); `rebuild` rebuilds the commitment views from the events and exits;
// anything else runs the service.
// Culture data (ICU) is on, for the screens' and reports' dates and figures in each member's language, but nothing
// reads the machine's locale: what the service writes and parses by default (the canonical JSON, every hash) stays
// invariant, whatever LANG the host has. Screens set only the UI culture, per request (Web/ScreenLanguage.cs); reports
// name their culture (Reports/ReportText.cs).
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;

if (args is ["token", .. var tokenArgs]) return TokenCommand.Run(tokenArgs);
if (args is ["verify-export", .. var verifyArgs]) return Strategy.Api.Features.Audit.VerifyExportCommand.Run(verifyArgs);

// Settings ship beside the binary, so the service starts the same from any working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (args is ["migrate", ..]) builder.Configuration["Database:ApplySchemaOnStartup"] = "true";
builder.AddStrategy();
var app = builder.Build();

if (args is ["migrate", .. var migrateArgs])
{
    await StoreSetup.ApplySchemaAsync(app.Services.GetRequiredService<IDocumentStore>(), app.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);
    // Resolving the job storage with PrepareSchemaIfNecessary creates or upgrades Hangfire's schema.
    _ = app.Services.GetRequiredService<Hangfire.JobStorage>();
    Console.Error.WriteLine("Database schema is up to date.");
    var store = app.Services.GetRequiredService<StoreSettings>();
    var rederive = migrateArgs.Contains(AuditChainUpgrade.RederiveBrokenFlag);
    if (rederive) migrateArgs = [.. migrateArgs.Where(a => a != AuditChainUpgrade.RederiveBrokenFlag)];
    if (migrateArgs is not ([] or ["--app-role", _, "--app-password", _]))
    {
        Console.Error.WriteLine($"Usage: migrate [--app-role ROLE --app-password PASSWORD] [{AuditChainUpgrade.RederiveBrokenFlag}]");
        return 2;
    }
    // A chain hashed in an older canonical form is verified in that form, then derived again by the daemon.
    var upgrade = await AuditChainUpgrade.RunAsync(store.ConnectionString, store.Schema, rederive, CancellationToken.None);
    if (upgrade.Message is not null) Console.Error.WriteLine(upgrade.Message);
    if (upgrade.Refused) return 1;
    if (migrateArgs is ["--app-role", var role, "--app-password", var password])
    {
        await DatabaseRoles.GrantAppRoleAsync(store.ConnectionString, store.Schema, role, password);
        Console.Error.WriteLine($"Role {role} may use schema {store.Schema} and cannot change stored events.");
    }
    return 0;
}

if (args is ["rebuild", ..])
{
    if (args.Length > 1)
    {
        Console.Error.WriteLine("Usage: rebuild   (rebuilds every commitment view from the event log; stop writes first)");
        return 2;
    }
    var result = await Strategy.Infrastructure.Projections.ViewRebuild.CommitmentViewsAsync(
        app.Services.GetRequiredService<IDocumentStore>(), app.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);
    Console.Error.WriteLine($"Rebuilt {result.Documents} commitment views from {result.Events} events in {result.Elapsed.TotalSeconds:0.00} s.");
    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { view = result.View, events = result.Events, documents = result.Documents, seconds = result.Elapsed.TotalSeconds }));
    return 0;
}

app.UseStrategy();
if (!app.Services.GetRequiredService<Strategy.Infrastructure.Audit.AuditCheckpointStore>().CanSign)
    app.Logger.LogWarning("No audit checkpoint key (Audit:CheckpointKey or Audit:CheckpointKeyFile): the chain's head and reports' bases are not signed, so a rewrite of the database by its owner would go unseen");
await app.RunAsync();
return 0;

public partial class Program;
