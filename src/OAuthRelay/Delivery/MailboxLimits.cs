namespace OAuthRelay.Delivery;

/// <summary>A mailbox's pace through its transport: messages in any rolling minute, and sends at once.</summary>
public sealed record MailboxLimits(int MessagesPerMinute, int MaxConcurrent);
