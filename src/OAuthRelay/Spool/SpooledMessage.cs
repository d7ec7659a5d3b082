namespace OAuthRelay.Spool;

/// <summary>A message's content on disk, exactly as the client sent it, with its envelope: what a transport sends.</summary>
public sealed record SpooledMessage(Envelope Envelope, string ContentPath)
{
    public FileStream OpenContent() => new(ContentPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
}
