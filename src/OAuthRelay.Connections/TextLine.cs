namespace OAuthRelay.Connections;

/// <summary>Why a line could not be taken as text.</summary>
public enum LineError
{
    None,

    /// <summary>Longer than the limit; it was dropped up to its end.</summary>
    TooLong,

    /// <summary>Not ended by CRLF, or holding a NUL or a bare CR.</summary>
    BadEnding,

    InvalidUtf8,
}

/// <summary>One line of text without its CRLF, or why it could not be read, or the end of the connection.</summary>
public readonly record struct TextLine(string? Text, LineError Error)
{
    public static readonly TextLine Closed = new(null, LineError.None);

    public bool IsClosed => Text is null && Error == LineError.None;
}
