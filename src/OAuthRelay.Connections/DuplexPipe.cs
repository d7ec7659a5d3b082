using System.IO.Pipelines;

namespace OAuthRelay.Connections;

/// <summary>A reader and a writer that belong to one connection.</summary>
public sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
