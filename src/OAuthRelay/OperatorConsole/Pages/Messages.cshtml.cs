using OAuthRelay.Observability;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>Messages: the relay's last messages as its per-message log lines say them, filtered by client and reply class.</summary>
internal sealed class MessagesModel(MessageHistory history, IConfiguration configuration) : ConsolePage
{
    public static readonly IReadOnlyList<string> ReplyClasses = ["2xx", "4xx", "5xx"];

    public IReadOnlyList<MessageRecord> Messages { get; private set; } = [];

    /// <summary>The configured clients and any other the history names, for the filter.</summary>
    public IReadOnlyList<string> Clients { get; private set; } = [];

    public string? Client { get; private set; }

    public string? Reply { get; private set; }

    public void OnGet(string? client, string? reply)
    {
        var recent = history.Recent();
        Clients = configuration.GetSection("Clients").GetChildren().Select(c => c.Key)
            .Concat(recent.Select(m => m.Client)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Client = string.IsNullOrEmpty(client) ? null : client;
        Reply = string.IsNullOrEmpty(reply) ? null : reply;
        if (Reply is not null && !ReplyClasses.Contains(Reply))
        {
            Problem = $"The reply class must be one of {string.Join(", ", ReplyClasses)}, not '{Reply}'.";
            Reply = null;
        }

        Messages = recent.Where(m => (Client is null || m.Client == Client) && (Reply is null || m.ReplyClass == Reply)).ToList();
    }
}
