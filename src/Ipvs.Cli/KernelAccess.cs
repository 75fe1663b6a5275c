using Ipvs.Netlink;

namespace Ipvs.Cli;

/// <summary>How the commands reach the kernel: the --netns option and the opening of a client.</summary>
internal sealed class KernelAccess(Func<string?, IIpvsClient> open)
{
    public static KernelAccess Real { get; } = new(ns => IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = ns }));

    /// <summary>Opens a client in the namespace, or says which --netns was not found.</summary>
    public ClientLease Open(string? netns) => new(OpenClient(netns));

    private IIpvsClient OpenClient(string? netns)
    {
        if (!string.IsNullOrEmpty(netns))
        {
            string path = netns.Contains('/', StringComparison.Ordinal) ? netns : "/run/netns/" + netns;
            if (!File.Exists(path))
            {
                throw new BadInputException($"--netns {netns}: no such network namespace ({path} does not exist; see `ip netns list`)");
            }
        }
        try
        {
            return open(netns);
        }
        catch (NetlinkException e) when (!string.IsNullOrEmpty(netns))
        {
            throw new NetlinkException("open", e.Errno, $"--netns {netns}: {e.Message}", inner: e);
        }
    }
}

/// <summary>A client for the length of one command; disposing it closes the socket.</summary>
internal sealed class ClientLease(IIpvsClient client) : IDisposable
{
    public IIpvsClient Client { get; } = client;

    public void Dispose() => (Client as IDisposable)?.Dispose();
}
