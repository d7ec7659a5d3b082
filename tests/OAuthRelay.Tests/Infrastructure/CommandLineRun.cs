using System.CommandLine;
using OAuthRelay.Cli;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>The relay's command line run in-process, its standard output and error captured.</summary>
internal static class CommandLineRun
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await RelayCommandLine.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, output.ToString(), error.ToString());
    }
}
