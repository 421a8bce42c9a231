using Microsoft.Playwright;

namespace Strategy.Tests.Web;

/// <summary>Playwright's assertions, each waiting as long as <see cref="WebFactory.TimeoutMs"/> (its own default is 5 s, short on a loaded machine).</summary>
public static class Waits
{
    public static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    public static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = WebFactory.TimeoutMs };
    public static readonly LocatorAssertionsToHaveTextOptions Text = new() { Timeout = WebFactory.TimeoutMs };
    public static readonly LocatorAssertionsToContainTextOptions Contains = new() { Timeout = WebFactory.TimeoutMs };
    public static readonly LocatorAssertionsToHaveValueOptions Value = new() { Timeout = WebFactory.TimeoutMs };
}
