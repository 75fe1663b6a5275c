using System.Collections.Concurrent;

namespace Ipvs.ChecksTests.Support;

/// <summary>
/// A delegate check whose attempts answer from a script (true passes; a missing answer passes),
/// counting attempts and the most in flight at once; <see cref="Gate"/>, when set, holds every
/// attempt until the test opens it.
/// </summary>
internal sealed class Scripted
{
    private readonly ConcurrentQueue<bool> _answers = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _attempts;

    public Scripted(params bool[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }
        Check = new DelegateCheck(ProbeAsync) { Name = "scripted", Interval = TimeSpan.FromSeconds(10), Retries = 0, WarmUp = TimeSpan.Zero };
    }

    public DelegateCheck Check { get; }

    public TaskCompletionSource? Gate { get; set; }

    public int Attempts => Volatile.Read(ref _attempts);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void Then(params bool[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    private async ValueTask<bool> ProbeAsync(CheckContext context, CancellationToken cancellationToken)
    {
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
        try
        {
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            return !_answers.TryDequeue(out bool answer) || answer;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _attempts);
        }
    }
}
