namespace OAuthRelay.State.Redis;

/// <summary>The result of a Redis command, or not OK when Redis could not be asked.</summary>
internal readonly record struct Attempt<T>(bool Ok, T Value);
