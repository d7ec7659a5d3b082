using OAuthRelay.Clients;

namespace OAuthRelay.Delivery;

/// <summary>Where messages go in the end.</summary>
public enum DeliveryDestination
{
    /// <summary>Write each message as an .eml file into <see cref="DeliveryOptions.CaptureFolder"/>; needs no Office 365 account.</summary>
    Capture,

    /// <summary>Send each message to the upstream server (Office 365) as its client's account.</summary>
    Upstream,
}

/// <summary>Section "Delivery": where messages go (how each client's messages get there is its DeliveryMode).</summary>
public sealed class DeliveryOptions
{
    public DeliveryDestination Mode { get; set; } = DeliveryDestination.Capture;

    /// <summary>Folder for captured messages; relative paths are taken from the working directory.</summary>
    public string CaptureFolder { get; set; } = "capture";

    /// <summary>The rules clients are checked against: OAuth needs an account only when mail goes upstream.</summary>
    public ClientRules ClientRules(IReadOnlySet<string>? servableAccounts) => new(Mode == DeliveryDestination.Upstream, servableAccounts);
}
