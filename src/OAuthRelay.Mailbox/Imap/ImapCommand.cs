namespace OAuthRelay.Mailbox.Imap;

/// <summary>A complete command before login: its tag, its name in upper case and its arguments, literals read.</summary>
internal sealed record ImapCommand(string Tag, string Name, IReadOnlyList<ImapToken> Arguments);
