namespace Ipvs.Keepalived;

/// <summary>
/// virtual_server_group NAME { ... }: addresses, address ranges and firewall marks that share one
/// real-server setup (<c>alloc_vsg_entry()</c> in keepalived/check/check_data.c).
/// </summary>
/// <param name="Name">The name <c>virtual_server group NAME</c> refers to.</param>
/// <param name="Entries">The entries, in order.</param>
/// <param name="Location">Where the block starts.</param>
public sealed record VirtualServerGroup(string Name, ImmutableArray<VirtualServerGroupEntry> Entries, SourceLocation Location);

/// <summary>One line of a virtual_server_group.</summary>
/// <param name="Location">Where the line is.</param>
public abstract record VirtualServerGroupEntry(SourceLocation Location);

/// <summary>
/// An address or an inclusive range of addresses: <c>10.0.0.1</c>, <c>10.0.0.1-10</c> (the last
/// byte, or the last 16-bit group for IPv6, ranges), <c>10.0.0.250-10.0.1.10</c>, or
/// <c>10.0.0.8/29</c> (the whole block).
/// </summary>
/// <param name="First">The first address.</param>
/// <param name="Last">The last address; equal to <paramref name="First"/> for a single address.</param>
/// <param name="Port">The port; 0 when none was given (keepalived then requires persistence).</param>
/// <param name="Location">Where the line is.</param>
public sealed record VirtualServerGroupRange(IPAddress First, IPAddress Last, ushort Port, SourceLocation Location)
    : VirtualServerGroupEntry(Location);

/// <summary><c>fwmark N [inet|inet6]</c> in a virtual_server_group.</summary>
/// <param name="Mark">The firewall mark, 0..4294967295.</param>
/// <param name="Family">The family, when given (needed only when every real server is tunnelled).</param>
/// <param name="Location">Where the line is.</param>
public sealed record VirtualServerGroupFwmark(uint Mark, AddressFamily? Family, SourceLocation Location)
    : VirtualServerGroupEntry(Location);
