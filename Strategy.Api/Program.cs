using Marten;
using Strategy.Api.Auth;
using Strategy.Api.Hosting;

// `token ...` mints a development token; `migrate` applies the database schema and exits (for production, where
// Database:ApplySchemaOnStartup is false); anything else runs the service.
if (args is ["token", .. var tokenArgs]) return TokenCommand.Run(tokenArgs);

var builder = WebApplication.CreateBuilder(args);
if (args is ["migrate", ..]) builder.Configuration["Database:ApplySchemaOnStartup"] = "true";
builder.AddStrategy();
var app = builder.Build();

if (args is ["migrate", ..])
{
    await app.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    Console.Error.WriteLine("Database schema is up to date.");
    return 0;
}

app.UseStrategy();
await app.RunAsync();
return 0;

public partial class Program;
