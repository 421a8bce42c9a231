using Marten;
using Strategy.Api.Auth;
using Strategy.Api.Hosting;
using Strategy.Infrastructure.Store;

// `token ...` mints a development token; `migrate` applies the database schema and exits (for production, where
// Database:ApplySchemaOnStartup is false); anything else runs the service.
if (args is ["token", .. var tokenArgs]) return TokenCommand.Run(tokenArgs);

// Settings ship beside the binary, so the service starts the same from any working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (args is ["migrate", ..]) builder.Configuration["Database:ApplySchemaOnStartup"] = "true";
builder.AddStrategy();
var app = builder.Build();

if (args is ["migrate", .. var migrateArgs])
{
    await app.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    // Resolving the job storage with PrepareSchemaIfNecessary creates or upgrades Hangfire's schema.
    _ = app.Services.GetRequiredService<Hangfire.JobStorage>();
    Console.Error.WriteLine("Database schema is up to date.");
    if (migrateArgs is ["--app-role", var role, "--app-password", var password])
    {
        var store = app.Services.GetRequiredService<StoreSettings>();
        await DatabaseRoles.GrantAppRoleAsync(store.ConnectionString, store.Schema, role, password);
        Console.Error.WriteLine($"Role {role} may use schema {store.Schema} and cannot change stored events.");
    }
    else if (migrateArgs.Length > 0)
    {
        Console.Error.WriteLine("Usage: migrate [--app-role ROLE --app-password PASSWORD]");
        return 2;
    }
    return 0;
}

app.UseStrategy();
await app.RunAsync();
return 0;

public partial class Program;
