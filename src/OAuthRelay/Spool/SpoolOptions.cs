namespace OAuthRelay.Spool;

/// <summary>Section "Spool": where message content waits while it is sent upstream.</summary>
public sealed class SpoolOptions
{
    public string Directory { get; set; } = "var/spool";
}
