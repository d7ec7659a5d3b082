using System.Reflection;

namespace OAuthRelay.Tokens.Health;

/// <summary>
/// The command line an operator types to run a sign-in verb, as this process was started: <c>dotnet OAuthRelay.dll</c>
/// in the container, the program's own path elsewhere. Health actions name it, so they can be copied as they are.
/// </summary>
public static class SignInCommand
{
    private static readonly Lazy<string> Program = new(() =>
    {
        var process = Environment.ProcessPath ?? "OAuthRelay";
        var entry = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? $"dotnet {Path.GetFileName(entry)}" : process;
    });

    public static string For(string verbAndArguments) => $"`{Program.Value} {verbAndArguments}`";

    /// <summary>What to do when the account needs a new sign-in.</summary>
    public static string SignInAgain(string account) =>
        $"Sign in again: {For($"import-refresh-token {account}")} or {For($"login {account} --device-code")}.";
}
