using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Strategy.Api.Auth;

namespace Strategy.Tests.Api;

/// <summary>
/// The development signing key is in the repository, so anyone could sign an admin token with it: it is honoured in
/// Development only, and the token command runs only where the environment is explicitly Development.
/// </summary>
public class DevelopmentKeyTests
{
    private sealed class ProductionWithKey(string key) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Strategy", ApiFactory.OwnerConnectionString);
            builder.UseSetting("Database:Schema", "t_devkey_" + Guid.NewGuid().ToString("N")[..8]);
            builder.UseSetting("Database:ApplySchemaOnStartup", "false");
            builder.UseSetting("Jobs:RunServer", "false");
            builder.UseSetting("Auth:SigningKey", key);
        }
    }

    [Fact]
    public void A_production_host_refuses_to_start_with_the_published_development_key()
    {
        using var factory = new ProductionWithKey(AuthSettings.DevelopmentKey);

        var refused = Should.Throw<InvalidOperationException>(() => factory.Server);
        refused.Message.ShouldContain("development");
    }

    [Fact]
    public void The_development_settings_hold_the_key_the_service_knows_as_the_development_key()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        json.RootElement.GetProperty("Auth").GetProperty("SigningKey").GetString().ShouldBe(AuthSettings.DevelopmentKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void The_token_command_runs_only_in_an_explicitly_Development_environment(string? environment)
    {
        var output = new StringWriter();
        var code = TokenCommand.Run(["--role", "admin"], environment, output, TextWriter.Null);

        code.ShouldNotBe(0);
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void In_Development_the_token_command_prints_one_token()
    {
        var output = new StringWriter();
        var code = TokenCommand.Run(["--role", "reviewer"], "Development", output, TextWriter.Null);

        code.ShouldBe(0);
        output.ToString().Trim().Split('.').Length.ShouldBe(3);
    }
}
