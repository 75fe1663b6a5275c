namespace Ipvs;

/// <summary>
/// What the running kernel's IPVS supports. Older kernels parse IPVS requests liberally and silently
/// drop attributes they do not know (a GRE tunnel would quietly become IP-in-IP), so requests are
/// checked against these before they are sent.
/// </summary>
/// <param name="KernelVersion">The kernel release, such as 6.1.176.</param>
public sealed record KernelCapabilities(Version KernelVersion)
{
    /// <summary>Destinations of another family than their service (tunnel only): Linux 3.18.</summary>
    public static readonly Version MixedFamilyVersion = new(3, 18);
    /// <summary>64-bit statistics: Linux 4.1.</summary>
    public static readonly Version Stats64Version = new(4, 1);
    /// <summary>Sync daemon multicast group, port, TTL and max length: Linux 4.3.</summary>
    public static readonly Version SyncMulticastVersion = new(4, 3);
    /// <summary>Tunnel type (GUE) and port: Linux 5.2.</summary>
    public static readonly Version TunnelTypeVersion = new(5, 2);
    /// <summary>GRE tunnels and tunnel checksum flags: Linux 5.3.</summary>
    public static readonly Version TunnelFlagsVersion = new(5, 3);

    /// <summary>Mixed-family destinations are supported.</summary>
    public bool MixedFamilyDestinations => KernelVersion >= MixedFamilyVersion;
    /// <summary>64-bit statistics are reported.</summary>
    public bool Stats64 => KernelVersion >= Stats64Version;
    /// <summary>Sync daemon multicast settings are supported.</summary>
    public bool SyncMulticastSettings => KernelVersion >= SyncMulticastVersion;
    /// <summary>Tunnel types and ports are supported.</summary>
    public bool TunnelTypes => KernelVersion >= TunnelTypeVersion;
    /// <summary>GRE tunnels and checksum flags are supported.</summary>
    public bool TunnelFlags => KernelVersion >= TunnelFlagsVersion;

    /// <summary>Capabilities of the kernel this process runs on, from /proc/sys/kernel/osrelease.</summary>
    public static KernelCapabilities Detect()
    {
        string release;
        try
        {
            release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            release = Environment.OSVersion.Version.ToString();
        }
        return new KernelCapabilities(ParseRelease(release));
    }

    /// <summary>Parses a release string such as <c>6.1.0-27-amd64</c> into its numeric version.</summary>
    /// <inheritdoc cref="ParseRelease(ReadOnlySpan{char})" path="/remarks"/>
    /// <exception cref="ArgumentNullException"><paramref name="release"/> is null.</exception>
    /// <exception cref="OverflowException">A number of the version does not fit in an <see cref="int"/>.</exception>
    public static Version ParseRelease(string release)
    {
        ArgumentNullException.ThrowIfNull(release);
        return ParseRelease(release.AsSpan());
    }

    /// <summary>Parses a release string such as <c>6.1.0-27-amd64</c> into its numeric version.</summary>
    /// <remarks>
    /// Up to three dot-separated decimal numbers, up to the first other character (so
    /// <c>6.1.0-rc1</c> is 6.1.0 and <c>Linux</c> is 0.0); fewer than two numbers are padded with 0.
    /// Culture-free and allocation-free but for the result: ipvsadm calls it at every start, where
    /// int.Parse's culture data would cost page faults.
    /// </remarks>
    /// <exception cref="OverflowException">A number of the version does not fit in an <see cref="int"/>.</exception>
    public static Version ParseRelease(ReadOnlySpan<char> release)
    {
        Span<int> parts = stackalloc int[3];
        int count = 0;
        int i = 0;
        while (count < 3 && i < release.Length && char.IsAsciiDigit(release[i]))
        {
            int n = 0;
            while (i < release.Length && char.IsAsciiDigit(release[i]))
            {
                n = checked((n * 10) + (release[i++] - '0'));
            }
            parts[count++] = n;
            if (i < release.Length && release[i] == '.')
            {
                i++;
            }
            else
            {
                break;
            }
        }
        return count switch
        {
            0 => new Version(0, 0),
            1 => new Version(parts[0], 0),
            2 => new Version(parts[0], parts[1]),
            _ => new Version(parts[0], parts[1], parts[2]),
        };
    }
}
