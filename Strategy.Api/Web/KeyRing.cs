using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Web;

/// <summary>
/// The data-protection key ring in PostgreSQL: nodes behind a load balancer share it, so a session or a form opened on
/// one is accepted by the others, and a restart (or a read-only file system) loses no session.
/// </summary>
public sealed class KeyRing(IDocumentStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var session = store.QuerySession();
        // The framework's repository interface is synchronous and Marten's reads are asynchronous only; the ring is read
        // at start-up and then about once a day, on a pool thread.
        return [.. session.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var session = store.LightweightSession();
        session.Store(new DataProtectionKey { Id = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        // Synchronous for the same reason; a key is stored rarely (a new one every 90 days).
        session.SaveChangesAsync().GetAwaiter().GetResult();
    }
}

public static class KeyRingSetup
{
    public static IServiceCollection AddKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("strategy");
        services.AddOptions<KeyManagementOptions>().Configure<IDocumentStore>((o, store) => o.XmlRepository = new KeyRing(store));
        return services;
    }
}
