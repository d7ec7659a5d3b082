namespace OAuthRelay.Tests.Infrastructure;

/// <summary>Tests that compare durations run alone, after the parallel ones, so that other tests do not skew them.</summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;
