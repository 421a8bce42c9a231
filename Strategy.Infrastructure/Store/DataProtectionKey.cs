namespace Strategy.Infrastructure.Store;

/// <summary>
/// One key of the ring that protects the screens' session cookies and antiforgery tokens, as the framework writes it
/// (XML), kept in the database so every node reads a cookie any node wrote.
/// </summary>
public sealed class DataProtectionKey
{
    public string Id { get; set; } = "";
    public string Xml { get; set; } = "";
}
