namespace OAuthRelay.Queue;

/// <summary>Where accepted messages go to bounce: the envelope sender, a postmaster address, or nowhere.</summary>
public enum BounceTarget
{
    Sender,
    Postmaster,
    None,
}

/// <summary>Section "Queue": the durable store of messages accepted for later delivery, and how it retries.</summary>
public sealed class QueueOptions
{
    /// <summary>The queue's folder (in Docker and Kubernetes on the data volume: /data/queue).</summary>
    public string Directory { get; set; } = "var/queue";

    /// <summary>The most bytes of messages the queue holds; beyond it new messages get 452 4.3.1.</summary>
    public long MaxQueueSize { get; set; } = 1L << 30;

    /// <summary>Free disk space the queue leaves on its volume; below it new messages get 452 4.3.1.</summary>
    public long MinFreeDiskSpace { get; set; } = 256L << 20;

    /// <summary>How long a message is retried before it expires and bounces.</summary>
    public TimeSpan MaxQueueLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The first wait after a temporary failure (the actual wait is a random half to whole of it); doubles each time.</summary>
    public TimeSpan InitialRetry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetry { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>/health warns when the oldest queued message is older than this.</summary>
    public TimeSpan WarnAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Who gets the delivery status notification of a message that failed.</summary>
    public BounceTarget BounceTo { get; set; } = BounceTarget.Sender;

    /// <summary>The address bounces go to with BounceTo Postmaster.</summary>
    public string? PostmasterAddress { get; set; }
}
