using System.Net.Sockets;
using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs;

public sealed partial class IpvsClient
{
    // How often a read is repeated while the service list changes underneath it.
    private const int MaxTableReads = 5;

    /// <inheritdoc />
    public Task<IpvsInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        Single(IpvsCommand.GetInfo, IpvsReplies.Info, (w, seq) => IpvsRequests.WriteGetInfo(w, _family, seq), cancellationToken);

    /// <inheritdoc />
    public Task<Timeouts> GetTimeoutsAsync(CancellationToken cancellationToken = default) =>
        Single(IpvsCommand.GetConfig, IpvsReplies.Timeouts, (w, seq) => IpvsRequests.WriteGetConfig(w, _family, seq), cancellationToken);

    /// <inheritdoc />
    public async Task<VirtualServiceInfo> GetServiceAsync(ServiceKey service, CancellationToken cancellationToken = default)
    {
        RequireKey(service);
        return await Single(IpvsCommand.GetService, IpvsReplies.Service, (w, seq) => IpvsRequests.WriteGetService(w, _family, seq, service), cancellationToken, service.ToString())
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VirtualServiceInfo>> GetServicesAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return DumpServices();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DestinationInfo>> GetDestinationsAsync(ServiceKey service, CancellationToken cancellationToken = default)
    {
        RequireKey(service);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A destination dump of a missing service is simply empty, so ask for the service first
            // to report "No such service" as ipvsadm does.
            Request(IpvsCommand.GetService, (w, seq) => IpvsRequests.WriteGetService(w, _family, seq, service), null, service.ToString());
            return DumpDestinations(service);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// All services with statistics, in kernel order, read with a single dump: what the kernel
    /// sends, without the second read <see cref="GetServicesAsync"/> makes of a dump that spans
    /// several datagrams to be sure no service went unseen while other processes changed the
    /// table. Services the kernel sends twice (which happens when another network namespace
    /// changes its services mid-dump) are listed once. For a caller that reads the table the way
    /// ipvsadm does (this dump, then <see cref="DumpDestinationsAsync"/> per service) and would
    /// rather not pay for the second read.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the socket.</param>
    /// <exception cref="IpvsException">The kernel refused the dump.</exception>
    public async Task<IReadOnlyList<VirtualServiceInfo>> DumpServicesAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return DumpServicesOnce().Items;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A service's destinations, in kernel order, read with one dump and without first asking
    /// whether the service exists: a missing service reads as no destinations, which is how the
    /// kernel answers. Half the requests of <see cref="GetDestinationsAsync"/>, for a caller that
    /// goes through services it has just listed and would rather not hold every destination at
    /// once (ipvsadm -L reads a big table this way, one service at a time). A destination the
    /// kernel sends twice (it does when another process adds one mid-dump) is listed once; one
    /// it skipped (when another process deletes one mid-dump of several chunks) stays unseen, as
    /// under ipvsadm: <see cref="GetDestinationsAsync"/> reads such a dump again.
    /// </summary>
    /// <param name="service">The service.</param>
    /// <param name="cancellationToken">Cancels the wait for the socket.</param>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    /// <exception cref="IpvsException">The kernel refused the dump.</exception>
    public async Task<IReadOnlyList<DestinationInfo>> DumpDestinationsAsync(ServiceKey service, CancellationToken cancellationToken = default)
    {
        RequireKey(service);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return DumpDestinations(service, once: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// IPVS never flags a dump as interrupted, and a service dump resumes by position, so a service
    /// deleted by another process mid-read can make a live one go unseen. The service keys are
    /// therefore read again after the destinations (keys only, no records built), and the whole read
    /// is repeated while the two lists differ. Each service's destinations are read as
    /// <see cref="GetDestinationsAsync"/> reads them.
    /// </remarks>
    public async Task<IReadOnlyList<ServiceEntry>> GetTableAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var services = DumpServicesOnce().Items;
            for (int attempt = 1; ; attempt++)
            {
                var entries = new ServiceEntry[services.Count];
                for (int i = 0; i < entries.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    entries[i] = new ServiceEntry(services[i], DumpDestinations(services[i].Key));
                }
                if (SameKeys(services, DumpServiceKeys()) || attempt == MaxTableReads)
                {
                    return entries;
                }
                services = DumpServicesOnce().Items;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SyncDaemon>> GetSyncDaemonsAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sink = new ListSink<SyncDaemon>(IpvsReplies.Daemon);
            Dump(IpvsCommand.GetDaemon, (w, seq) => IpvsRequests.WriteGetDaemons(w, _family, seq), sink);
            return sink.Items;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <remarks>
    /// The kernel keeps one service hash table for every network namespace, and a service dump
    /// resumes by a position that counts the services of all of them. When another namespace adds
    /// services between two chunks of the dump (even between the send and the first receive), the
    /// resumed walk returns some of this namespace's services a second time. A key names at most one
    /// service, so repeats are dropped here (the first copy is kept).
    /// </remarks>
    /// <remarks>
    /// A dump that spans several datagrams resumes by position, and deletions in any namespace
    /// shift positions, so a live service can go unseen. Such a dump is therefore repeated until
    /// two consecutive reads name the same services. One datagram (about 90 services) is read
    /// under the kernel's lock in one pass and needs no second read.
    /// </remarks>
    private List<VirtualServiceInfo> DumpServices()
    {
        var (items, datagrams) = DumpServicesOnce();
        for (int attempt = 1; datagrams > 1 && attempt < MaxTableReads; attempt++)
        {
            var (again, n) = DumpServicesOnce();
            if (SameKeys(items, again))
            {
                return again;
            }
            (items, datagrams) = (again, n);
        }
        return items;
    }

    private (List<VirtualServiceInfo> Items, int Datagrams) DumpServicesOnce()
    {
        var sink = new ListSink<VirtualServiceInfo>(IpvsReplies.Service);
        int datagrams = Dump(IpvsCommand.GetService, (w, seq) => IpvsRequests.WriteGetServices(w, _family, seq), sink);
        var items = sink.Items;
        var seen = new HashSet<ServiceKey>(items.Count);
        int kept = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (seen.Add(items[i].Key))
            {
                items[kept++] = items[i];
            }
        }
        items.RemoveRange(kept, items.Count - kept);
        return (items, datagrams);
    }

    // One sink serves every destination dump (under the gate); each result is copied out at its
    // exact size, which keeps a 100,000-destination read from holding List slack per service.
    private readonly DestinationSink _destinations = new();

    /// <remarks>
    /// A destination dump resumes by position in the service's list, and the kernel adds a new
    /// destination at the head of that list. A destination added between two chunks of the dump
    /// (even between the chunk with every entry and the call that only says "done") shifts the
    /// list, and the resumed walk sends the last one again; a deletion shifts it the other way and
    /// a destination goes unseen. Repeats are dropped (the first copy is kept); a dump whose
    /// entries came in more than one chunk is read again until two reads name the same
    /// destinations, unless <paramref name="once"/> (the ipvsadm-style listing, which pays for
    /// one dump only, as ipvsadm does).
    /// </remarks>
    private DestinationInfo[] DumpDestinations(ServiceKey service, bool once = false)
    {
        var (items, chunks) = DumpDestinationsOnce(service);
        for (int attempt = 1; chunks > 1 && !once && attempt < MaxTableReads; attempt++)
        {
            var (again, n) = DumpDestinationsOnce(service);
            if (SameKeys(items, again))
            {
                return again;
            }
            (items, chunks) = (again, n);
        }
        return items;
    }

    private (DestinationInfo[] Items, int Chunks) DumpDestinationsOnce(ServiceKey service)
    {
        _destinations.Reset();
        _destinations.Family = service.Family;
        int chunks = Dump(IpvsCommand.GetDest, (w, seq) => IpvsRequests.WriteGetDestinations(w, _family, seq, service), _destinations, service);
        return (_destinations.TakeDistinct(), chunks);
    }

    private static bool SameKeys(DestinationInfo[] a, DestinationInfo[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        var keys = new HashSet<DestinationKey>(a.Length);
        foreach (var d in a)
        {
            keys.Add(d.Key);
        }
        foreach (var d in b)
        {
            if (!keys.Contains(d.Key))
            {
                return false;
            }
        }
        return true;
    }

    private sealed class DestinationSink : IReplySink
    {
        // Services of up to this many destinations look for repeats by comparing pairs, which is
        // cheaper than a set at the sizes most services have.
        private const int PairwiseLimit = 16;

        public AddressFamily Family;

        private readonly List<DestinationInfo> _items = [];

        public void OnReply(byte command, ReadOnlySpan<byte> attributes) => _items.Add(IpvsReplies.Destination(attributes, Family));

        public void Reset() => _items.Clear();

        /// <summary>The destinations received, each key once (the first copy), at their exact count.</summary>
        public DestinationInfo[] TakeDistinct()
        {
            int kept = _items.Count <= PairwiseLimit ? DropRepeatsPairwise() : DropRepeatsHashed();
            return kept == _items.Count ? [.. _items] : _items.GetRange(0, kept).ToArray();
        }

        private int DropRepeatsPairwise()
        {
            int kept = 0;
            for (int i = 0; i < _items.Count; i++)
            {
                bool repeat = false;
                for (int j = 0; j < kept && !repeat; j++)
                {
                    repeat = _items[j].Key == _items[i].Key;
                }
                if (!repeat)
                {
                    _items[kept++] = _items[i];
                }
            }
            return kept;
        }

        private int DropRepeatsHashed()
        {
            var seen = new HashSet<DestinationKey>(_items.Count);
            int kept = 0;
            for (int i = 0; i < _items.Count; i++)
            {
                if (seen.Add(_items[i].Key))
                {
                    _items[kept++] = _items[i];
                }
            }
            return kept;
        }
    }

    private HashSet<ServiceKey> DumpServiceKeys()
    {
        var sink = new ListSink<ServiceKey>(IpvsReplies.ServiceIdentity);
        Dump(IpvsCommand.GetService, (w, seq) => IpvsRequests.WriteGetServices(w, _family, seq), sink);
        return [.. sink.Items];
    }

    private static bool SameKeys(List<VirtualServiceInfo> a, HashSet<ServiceKey> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        foreach (var s in a)
        {
            if (!b.Contains(s.Key))
            {
                return false;
            }
        }
        return true;
    }

    // Both lists are free of repeats (DumpServicesOnce drops them), so set equality is enough.
    private static bool SameKeys(List<VirtualServiceInfo> a, List<VirtualServiceInfo> b) =>
        SameKeys(a, b.Select(s => s.Key).ToHashSet());

    private async Task<T> Single<T>(IpvsCommand command, SpanDecoder<T> decode, Action<NetlinkWriter, uint> write, CancellationToken cancellationToken, string? subject = null)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sink = new ListSink<T>(decode);
            Request(command, write, sink, subject);
            return sink.Items[0];
        }
        finally
        {
            _gate.Release();
        }
    }

    // The gate must be held for these two.
    private void Request(IpvsCommand command, Action<NetlinkWriter, uint> write, IReplySink? sink, string? subject = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Reset();
        uint seq = _connection.ReserveSequences(1);
        write(_writer, seq);
        try
        {
            _connection.Request(_writer, seq, CommandName(command), sink ?? NullSink.Instance);
        }
        catch (NetlinkException e) when (e is not NetlinkDecodeException and not NetlinkTimeoutException)
        {
            throw new IpvsException(command, e.Errno, e.KernelMessage, e.Sequence, subject);
        }
    }

    // The subject is formatted only when the dump fails: a table read runs one dump per service.
    private int Dump(IpvsCommand command, Action<NetlinkWriter, uint> write, IReplySink sink, ServiceKey? subject = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Reset();
        uint seq = _connection.ReserveSequences(1);
        write(_writer, seq);
        try
        {
            return _connection.Dump(_writer, seq, CommandName(command), sink);
        }
        catch (NetlinkException e) when (e is not NetlinkDecodeException and not NetlinkTimeoutException)
        {
            throw new IpvsException(command, e.Errno, e.KernelMessage, e.Sequence, subject?.ToString());
        }
    }

    // Enum.ToString formats on every call; the names are needed per request for error texts.
    private static string CommandName(IpvsCommand command) => command switch
    {
        IpvsCommand.GetService => nameof(IpvsCommand.GetService),
        IpvsCommand.GetDest => nameof(IpvsCommand.GetDest),
        IpvsCommand.GetDaemon => nameof(IpvsCommand.GetDaemon),
        IpvsCommand.GetConfig => nameof(IpvsCommand.GetConfig),
        IpvsCommand.GetInfo => nameof(IpvsCommand.GetInfo),
        _ => command.ToString(),
    };

    private static void RequireKey(ServiceKey key)
    {
        if (key.Family == AddressFamily.Unspecified)
        {
            throw new ArgumentException("The service key is empty; create it with ServiceKey.Parse or a factory.", nameof(key));
        }
    }

    private sealed class NullSink : IReplySink
    {
        public static readonly NullSink Instance = new();

        public void OnReply(byte command, ReadOnlySpan<byte> attributes)
        {
        }

        public void Reset()
        {
        }
    }
}
