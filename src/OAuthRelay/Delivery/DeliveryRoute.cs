using OAuthRelay.Clients;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Delivery;

/// <summary>Whose mail this is and what it authenticated with (the credentials go upstream when OAuth is off for the client).</summary>
public sealed record DeliveryRoute(RelayClient Client, SmtpCredentials? Credentials);
