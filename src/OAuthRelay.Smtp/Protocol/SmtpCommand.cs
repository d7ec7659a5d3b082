namespace OAuthRelay.Smtp.Protocol;

/// <summary>A command line split into its verb (upper case) and the rest.</summary>
internal readonly record struct SmtpCommand(string Verb, string Arguments)
{
    public static SmtpCommand Parse(string line)
    {
        var space = line.IndexOf(' ');
        return space < 0
            ? new SmtpCommand(line.ToUpperInvariant(), string.Empty)
            : new SmtpCommand(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
    }
}
