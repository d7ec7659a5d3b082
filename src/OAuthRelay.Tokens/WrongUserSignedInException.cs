namespace OAuthRelay.Tokens;

/// <summary>A sign-in produced a token for another user than the account's; it was not kept.</summary>
public sealed class WrongUserSignedInException(string account, string? signedIn, string expected)
    : Exception($"Account {account}: signed in as {signedIn ?? "an unknown user"}, but the account sends as {expected}; that sign-in was not kept. Sign in as {expected} (for a shared mailbox, set the account's SignInUser to the user who has rights on it).");
