using System.CommandLine;
using OAuthRelay.Clients;

namespace OAuthRelay.Cli;

/// <summary><c>hash-password</c>: reads a password from standard input and prints the hash to put in a client's PasswordHash or Admin:PasswordHash.</summary>
internal static class PasswordCommand
{
    public static Command Create()
    {
        var iterations = new Option<int>("--iterations")
        {
            Description = $"PBKDF2 iterations (at least {PasswordHasher.MinimumIterations})",
            DefaultValueFactory = _ => PasswordHasher.DefaultIterations,
        };
        var command = new Command("hash-password", "Read a password (a client's SMTP password, or the console's admin password) from standard input and print its hash for the configuration file");
        command.Add(iterations);
        command.SetAction(result =>
        {
            if (!Console.IsInputRedirected) Console.Error.Write("Password: ");
            var password = ReadPassword();
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("No password given.");
                return 1;
            }

            Console.WriteLine(PasswordHasher.Hash(password, result.GetValue(iterations)));
            return 0;
        });
        return command;
    }

    // From a terminal, read without echo; from a pipe, read one line.
    private static string? ReadPassword()
    {
        if (Console.IsInputRedirected) return Console.In.ReadLine();
        var password = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0) password.Length--;
            else if (!char.IsControl(key.KeyChar)) password.Append(key.KeyChar);
        }

        Console.Error.WriteLine();
        return password.ToString();
    }
}
