using OAuthRelay.Cli;

return await RelayCommandLine.Create().Parse(args).InvokeAsync();
