using System.Collections.Concurrent;
using Ipvs.Kernel;
using Ipvs.Netlink;

namespace Ipvs;

/// <summary>
/// The IPVS client: one generic netlink socket, safe for any number of concurrent callers.
/// Single changes from concurrent callers are combined into shared sends: whoever holds the socket
/// sends everything queued at that moment, with one ACK for the lot, and hands each caller its own
/// result. A caller's own operations keep their order.
/// </summary>
public sealed partial class IpvsClient : IIpvsClient, IDisposable
{
    private const int MaxReusedStatus = 1024;
    private readonly NetlinkConnection _connection;
    private readonly ushort _family;
    private readonly int _maxPerSend;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentQueue<PendingOperation> _pending = new();
    private readonly List<PendingOperation> _combined = [];
    private readonly NetlinkWriter _writer;
    // Starts empty and grows on demand: a short-lived process (ipvsadm) that sends one request
    // should not pay for pages it never uses (a fresh page costs ~50 µs in user-mode Linux).
    private RequestStatus[] _status = [];
    private bool _disposed;

    private IpvsClient(NetlinkConnection connection, NetlinkWriter writer, ushort family, KernelCapabilities capabilities, IpvsClientOptions options)
    {
        _connection = connection;
        _writer = writer;
        _family = family;
        Capabilities = capabilities;
        _maxPerSend = options.MaxRequestsPerSend;
        Options = options;
    }

    /// <inheritdoc />
    public KernelCapabilities Capabilities { get; }

    /// <summary>The options the client was opened with.</summary>
    public IpvsClientOptions Options { get; }

    /// <summary>
    /// Opens a client, in another network namespace when the options name one, and resolves the
    /// IPVS generic netlink family.
    /// </summary>
    /// <exception cref="NetlinkException">No socket, no such namespace, or IPVS is not available.</exception>
    public static IpvsClient Open(IpvsClientOptions? options = null)
    {
        options ??= new IpvsClientOptions();
        if (options.MaxRequestsPerSend < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRequestsPerSend, "MaxRequestsPerSend must be at least 1.");
        }
        if (options.ReplyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReplyTimeout, "ReplyTimeout must be positive.");
        }
        var socket = NetlinkSocket.Open(NamespacePath(options.NetworkNamespace), options.SendBufferBytes, options.ReceiveBufferBytes);
        return Open(socket, options);
    }

    // The seam for unit tests: any transport, including a scripted fake kernel.
    internal static IpvsClient Open(INetlinkTransport transport, IpvsClientOptions options)
    {
        var connection = new NetlinkConnection(transport, options.ReplyTimeout);
        // The client's own writer (it grows on demand) serves the family lookup too. A temporary
        // one would go back to the shared array pool at once, and the pool's first return sets up
        // its trimming (a weak table, a random seed from /dev/urandom, a GC callback): measurable
        // in a process that sends one request and exits.
        var w = new NetlinkWriter(4096);
        try
        {
            GenericNetlinkFamily family;
            try
            {
                family = GenericNetlinkFamily.Resolve(connection, w, IpvsWire.FamilyName);
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
            {
                throw new NetlinkException("open", Errno.ENOENT,
                    "IPVS is not available: the kernel has no generic netlink family 'IPVS' (is the ip_vs module loaded, or built in?)", inner: e);
            }
            return new IpvsClient(connection, w, family.Id, options.Capabilities ?? KernelCapabilities.Detect(), options);
        }
        catch
        {
            connection.Dispose();
            w.Dispose();
            throw;
        }
    }

    /// <summary>/run/netns/NAME for a bare name, the path itself otherwise.</summary>
    internal static string? NamespacePath(string? ns) => ns switch
    {
        null or "" => null,
        _ when ns.Contains('/', StringComparison.Ordinal) => ns,
        _ => "/run/netns/" + ns,
    };

    /// <inheritdoc />
    public async Task<BatchResult> ExecuteAsync(IReadOnlyList<IpvsOperation> operations, BatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        for (int i = 0; i < operations.Count; i++)
        {
            try
            {
                IpvsValidation.Validate(operations[i], Capabilities);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Operation {i + 1} of {operations.Count} ({Describe(operations[i])}): {e.Message}", nameof(operations), e);
            }
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var status = Run(operations, options?.MaxRequestsPerSend ?? _maxPerSend, options?.StopOnError ?? false, cancellationToken);
            var results = new OperationResult[operations.Count];
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = new OperationResult(operations[i], status[i].State, status[i].Errno, status[i].KernelMessage);
            }
            return new BatchResult(results);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Encodes and sends a list of operations; the gate must be held.
    private Span<RequestStatus> Run(IReadOnlyList<IpvsOperation> operations, int maxPerSend, bool stopOnError, CancellationToken cancellationToken)
    {
        int n = operations.Count;
        // Small batches reuse one array; a huge one gets its own, so the client does not keep it.
        if (n > _status.Length && n <= MaxReusedStatus)
        {
            _status = new RequestStatus[n <= 16 ? 16 : MaxReusedStatus];
        }
        var status = n <= _status.Length ? _status.AsSpan(0, n) : new RequestStatus[n];
        status.Clear();
        _connection.ExecuteBatch(new OperationSource(operations, _family), _writer, status, maxPerSend, stopOnError, cancellationToken);
        return status;
    }

    private sealed class OperationSource(IReadOnlyList<IpvsOperation> operations, ushort family) : IRequestSource
    {
        public int Count => operations.Count;

        public void Write(NetlinkWriter writer, int index, uint sequence) =>
            IpvsRequests.Write(writer, family, sequence, operations[index]);
    }

    // Submits one change through the combiner and throws its failure as IpvsException.
    private async Task SubmitAsync(IpvsOperation operation, CancellationToken cancellationToken)
    {
        IpvsValidation.Validate(operation, Capabilities);
        var pending = new PendingOperation(operation);
        _pending.Enqueue(pending);
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (pending.TryCancel())
            {
                throw;
            }
            // Another caller already sent it: its outcome is known shortly and must not be lost.
            Throw(await pending.Completion.Task.ConfigureAwait(false));
            return;
        }
        try
        {
            while (!pending.Completion.Task.IsCompleted)
            {
                CombineOnce();
            }
        }
        finally
        {
            _gate.Release();
        }
        Throw(await pending.Completion.Task.ConfigureAwait(false));
    }

    // Sends whatever single operations are queued as one batch; the gate must be held.
    private void CombineOnce()
    {
        _combined.Clear();
        while (_combined.Count < _maxPerSend && _pending.TryDequeue(out var p))
        {
            if (p.TryTake())
            {
                _combined.Add(p);
            }
        }
        if (_combined.Count == 0)
        {
            return;
        }
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var ops = new IpvsOperation[_combined.Count];
            for (int i = 0; i < ops.Length; i++)
            {
                ops[i] = _combined[i].Operation;
            }
            var status = Run(ops, _maxPerSend, stopOnError: false, CancellationToken.None);
            for (int i = 0; i < ops.Length; i++)
            {
                _combined[i].Completion.TrySetResult(new OperationResult(ops[i], status[i].State, status[i].Errno, status[i].KernelMessage));
            }
        }
        catch (Exception e)
        {
            foreach (var p in _combined)
            {
                p.Completion.TrySetException(e);
            }
        }
    }

    private static void Throw(OperationResult result)
    {
        if (!result.Succeeded)
        {
            throw result.ToException()!;
        }
    }

    internal static string Describe(IpvsOperation op) => op switch
    {
        AddServiceOperation o => o.Service.Key.ToString(),
        EditServiceOperation o => o.Service.Key.ToString(),
        DeleteServiceOperation o => o.Service.ToString(),
        AddDestinationOperation o => $"{o.Service} -> {o.Destination.Key}",
        EditDestinationOperation o => $"{o.Service} -> {o.Destination.Key}",
        DeleteDestinationOperation o => $"{o.Service} -> {o.Destination}",
        ZeroOperation { Service: { } s } => s.ToString(),
        StartSyncDaemonOperation o => $"{o.Daemon.State} on {o.Daemon.Interface}",
        StopSyncDaemonOperation o => o.State.ToString(),
        _ => "all",
    };

    /// <summary>Closes the socket. Calls in progress finish first.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _connection.Dispose();
            _writer.Dispose();
        }
        finally
        {
            _gate.Release();
        }
        while (_pending.TryDequeue(out var p))
        {
            if (p.TryTake())
            {
                p.Completion.TrySetException(new ObjectDisposedException(nameof(IpvsClient)));
            }
        }
    }

    private sealed class PendingOperation(IpvsOperation operation)
    {
        private int _state; // 0 queued, 1 taken by a sender, 2 cancelled by its caller

        public IpvsOperation Operation { get; } = operation;

        // Continuations must not run inside the sender, which holds the gate: a continuation that
        // called the client again would wait on itself.
        public TaskCompletionSource<OperationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryCancel() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
    }
}
