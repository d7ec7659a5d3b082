namespace OAuthRelay.Clients;

public enum ClientLoginOutcome
{
    Accepted,

    /// <summary>Unknown user name or wrong password.</summary>
    WrongCredentials,

    /// <summary>Too many password checks at once: try again in a moment (454 4.7.0, NO [UNAVAILABLE]).</summary>
    Busy,

    /// <summary>Too many failures from this address or for this user name: refused before any check, for a while.</summary>
    Blocked,
}

/// <summary>The answer to a client's user name and password: the client, or why not in words fit for the client.</summary>
public sealed record ClientLogin(ClientLoginOutcome Outcome, RelayClient? Client, string Reason)
{
    public static ClientLogin Accepted(RelayClient client) => new(ClientLoginOutcome.Accepted, client, "Authenticated");

    public static readonly ClientLogin WrongCredentials = new(ClientLoginOutcome.WrongCredentials, null, "Authentication credentials invalid");

    public static readonly ClientLogin Busy = new(ClientLoginOutcome.Busy, null, "Too many logins in progress, try again in a moment");
}
