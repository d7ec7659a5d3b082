using System.CommandLine;
using OAuthRelay.Clients;
using OAuthRelay.Configuration;
using OAuthRelay.Hosting;

namespace OAuthRelay.Cli;

/// <summary>
/// <c>clients list</c> and <c>clients set-oauth</c>: see each client's effective OAuth and delivery modes, and switch
/// its OAuth mode without editing JSON by hand.
/// </summary>
internal static class ClientsCommandLine
{
    public static Command Create(Option<string> config)
    {
        var list = new Command("list", "List the clients with how they are recognised, their account and their effective OAuth and delivery modes");
        list.SetAction(result => List(result.GetValue(config)!, result.InvocationConfiguration.Output));

        var client = new Argument<string>("client") { Description = "The client name under Clients" };
        var mode = new Argument<string>("mode") { Description = "on, off, or inherit (the global Relay:OAuth)" };
        mode.AcceptOnlyFromAmong("on", "off", "inherit");
        var setOAuth = new Command("set-oauth", "Switch a client's OAuth on or off, or back to the global default; the running relay applies it to new sessions");
        setOAuth.Add(client);
        setOAuth.Add(mode);
        setOAuth.SetAction(result => SetOAuth(result.GetValue(config)!, result.GetValue(client)!, result.GetValue(mode)!));

        return new Command("clients", "The legacy applications the relay accepts") { list, setOAuth };
    }

    private static int List(string configFile, TextWriter output)
    {
        var clients = ConfiguredClients.Parse(new ConfigurationBuilder().AddRelaySources(configFile).Build());
        output.WriteLine($"{"CLIENT",-20} {"RECOGNISED BY",-34} {"ACCOUNT",-14} {"OAUTH",-6} DELIVERY");
        foreach (var c in clients)
        {
            var recognisedBy = c.UserName ?? string.Join(", ", c.Networks);
            output.WriteLine($"{c.Name,-20} {recognisedBy,-34} {c.Account ?? "-",-14} {(c.OAuth ? "on" : "off"),-6} {c.DeliveryMode}");
        }

        return 0;
    }

    private static int SetOAuth(string configFile, string client, string mode)
    {
        bool? oauth = mode switch { "on" => true, "off" => false, _ => null };
        ClientFileEdit edit;
        try
        {
            edit = ClientsConfigFile.SetOAuth(configFile, client, oauth, path => ConfigurationValidator.ProblemsInFile(path, TimeProvider.System));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        if (!edit.Written)
        {
            foreach (var problem in edit.Problems) Console.Error.WriteLine($"Not changed, the relay would refuse the file: {problem}");
            return 1;
        }

        var effective = ConfiguredClients.Parse(new ConfigurationBuilder().AddRelaySources(configFile).Build()).Single(c => c.Name == client);
        Console.WriteLine($"{client}: OAuth {(effective.OAuth ? "on" : "off")}{(oauth is null ? " (inherited)" : "")}; the running relay applies it to new sessions.");
        return 0;
    }
}
