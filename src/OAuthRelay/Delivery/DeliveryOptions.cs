using OAuthRelay.Clients;

namespace OAuthRelay.Delivery;

public enum DeliveryMode
{
    /// <summary>Write each message as an .eml file into <see cref="DeliveryOptions.CaptureFolder"/>; needs no Office 365 account.</summary>
    Capture,

    /// <summary>Pass each message through to the upstream server (Office 365); the client's reply is the upstream's verdict.</summary>
    Upstream,
}

/// <summary>Section "Delivery": where accepted messages go.</summary>
public sealed class DeliveryOptions
{
    public DeliveryMode Mode { get; set; } = DeliveryMode.Capture;

    /// <summary>Folder for captured messages; relative paths are taken from the working directory.</summary>
    public string CaptureFolder { get; set; } = "capture";

    /// <summary>The rules clients are checked against: OAuth needs an account only when mail goes upstream.</summary>
    public ClientRules ClientRules(IReadOnlySet<string>? servableAccounts) => new(Mode == DeliveryMode.Upstream, servableAccounts);
}
