using System.Text;

namespace OAuthRelay.Mailbox.Imap;

/// <summary>
/// Splits one IMAP command line (RFC 3501 section 9, the part a client sends before login) into atoms, quoted
/// strings, parentheses and a trailing literal announcement. Quoted strings cannot span lines, so a line is a unit.
/// </summary>
internal static class ImapTokenizer
{
    public static (List<ImapToken>? Tokens, string? Error) Tokenize(string line)
    {
        var tokens = new List<ImapToken>();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == ' ')
            {
                i++;
                continue;
            }

            if (c == '(' || c == ')')
            {
                tokens.Add(new ImapToken(c == '(' ? ImapTokenKind.OpenParen : ImapTokenKind.CloseParen, c.ToString()));
                i++;
            }
            else if (c == '"')
            {
                var (value, end, error) = Quoted(line, i + 1);
                if (error is not null) return (null, error);
                tokens.Add(new ImapToken(ImapTokenKind.String, value!));
                i = end;
            }
            else if (c == '{')
            {
                var (literal, error) = Literal(line, i);
                if (error is not null) return (null, error);
                tokens.Add(literal);
                i = line.Length;
            }
            else
            {
                var end = i;
                while (end < line.Length && line[end] is not (' ' or '(' or ')' or '"' or '{')) end++;
                var atom = line[i..end];
                if (atom.Any(ch => ch < 0x20 || ch > 0x7e || ch == '\\')) return (null, "Invalid characters in atom");
                tokens.Add(new ImapToken(ImapTokenKind.Atom, atom));
                i = end;
            }
        }

        return (tokens, null);
    }

    /// <summary>A quoted string from just after its opening quote: only \\ and \" may be escaped.</summary>
    private static (string? Value, int End, string? Error) Quoted(string line, int start)
    {
        var value = new StringBuilder();
        for (var i = start; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"') return (value.ToString(), i + 1, null);
            if (c == '\\')
            {
                if (i + 1 >= line.Length || line[i + 1] is not ('\\' or '"')) return (null, 0, "Invalid escape in quoted string");
                c = line[++i];
            }

            value.Append(c);
        }

        return (null, 0, "Unterminated quoted string");
    }

    /// <summary>"{n}" or "{n+}", which must end the line.</summary>
    private static (ImapToken Literal, string? Error) Literal(string line, int start)
    {
        var close = line.IndexOf('}', start);
        if (close != line.Length - 1) return (default, "A literal announcement must end the line");
        var body = line[(start + 1)..close];
        var nonSynchronizing = body.EndsWith('+');
        if (nonSynchronizing) body = body[..^1];
        if (body.Length is 0 or > 10 || !body.All(char.IsAsciiDigit) || !long.TryParse(body, out var size) || size > int.MaxValue)
            return (default, "Invalid literal size");
        return (new ImapToken(ImapTokenKind.Literal, line[start..], (int)size, nonSynchronizing), null);
    }
}
