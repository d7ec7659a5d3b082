namespace OAuthRelay.Mailbox.Imap;

public enum ImapTokenKind
{
    Atom,

    /// <summary>A quoted string or a literal, already unescaped or read.</summary>
    String,

    OpenParen,
    CloseParen,

    /// <summary>"{n}" or "{n+}" ending a line: n bytes follow (after a "+" continuation unless non-synchronizing).</summary>
    Literal,
}

/// <summary>One token of an IMAP command line before login.</summary>
public readonly record struct ImapToken(ImapTokenKind Kind, string Value, int LiteralSize = 0, bool NonSynchronizing = false)
{
    /// <summary>An astring (RFC 3501): an atom or a string.</summary>
    public bool IsAString => Kind is ImapTokenKind.Atom or ImapTokenKind.String;
}
