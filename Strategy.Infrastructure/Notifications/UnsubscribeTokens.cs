using Strategy.Domain.Notifications;

namespace Strategy.Infrastructure.Notifications;

/// <summary>
/// The token of a mail's unsubscribe link: it names the recipient and the notice, and only the service can make one
/// (a forged or altered token reads as null).
/// </summary>
public interface IUnsubscribeTokens
{
    string Issue(string sub, NoticeKind kind);

    (string Sub, NoticeKind Kind)? Read(string token);
}
