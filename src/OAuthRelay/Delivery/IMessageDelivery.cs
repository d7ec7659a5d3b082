namespace OAuthRelay.Delivery;

/// <summary>Where accepted mail goes: each client transaction (MAIL to end of DATA) is one delivery transaction.</summary>
public interface IMessageDelivery
{
    /// <summary>A one-line description for the start-up log: where messages go.</summary>
    string Describe();

    IDeliveryTransaction Begin(DeliveryRoute route);
}
