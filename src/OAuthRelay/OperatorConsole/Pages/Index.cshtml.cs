using OAuthRelay.Listeners;
using OAuthRelay.Observability;
using OAuthRelay.Tokens;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>Overview: the listeners, each account's token health, the queue, and each account's messages per minute.</summary>
internal sealed class IndexModel(MailListeners listeners, AdminEndpoint admin, TokenService tokens, QueueSummary queue, MessageHistory history) : ConsolePage
{
    public IReadOnlyList<(string Name, string Protocol, string Tls, string EndPoint)> Listeners { get; private set; } = [];

    public IReadOnlyList<AccountView> Accounts { get; private set; } = [];

    public IReadOnlyList<AccountQueue> Queue { get; private set; } = [];

    public void OnGet()
    {
        Listeners =
        [
            .. listeners.Bound.Select(l => (l.Name, l.Protocol.ToString(), l.Tls.ToString(), l.EndPoint?.ToString() ?? "not bound")),
            ("admin", "HTTP", Request.IsHttps ? "Implicit" : "None", admin.EndPoint?.ToString() ?? "-"),
        ];
        Accounts = AccountView.All(tokens);
        Queue = queue.ByAccount();
    }

    public int[] PerMinute(string account) => history.AcceptedPerMinute(account);
}
