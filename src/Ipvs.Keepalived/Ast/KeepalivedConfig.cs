using System.Collections.Immutable;

namespace Ipvs.Keepalived;

/// <summary>
/// The LVS part of a keepalived configuration, with every default resolved the way keepalived
/// 2.2.7 resolves it (<c>validate_check_config()</c> in keepalived/check/check_data.c).
/// </summary>
/// <param name="Global">global_defs and the root-level global keywords.</param>
/// <param name="VirtualServers">Every virtual_server that keepalived would keep, in file order.</param>
/// <param name="VirtualServerGroups">Every virtual_server_group, in file order.</param>
/// <param name="TrackFiles">Every track_file (or its deprecated synonym vrrp_track_file), used by FILE_CHECK.</param>
/// <param name="Ssl">The SSL block for SSL_GET, if any.</param>
/// <param name="NotHandled">Blocks ipvs leaves to keepalived (vrrp_instance, vrrp_script, bfd_instance, static_routes...).</param>
/// <param name="Files">Every file read, the main file first, then includes in the order they were read.</param>
public sealed record KeepalivedConfig(
    GlobalDefinitions Global,
    ImmutableArray<VirtualServer> VirtualServers,
    ImmutableArray<VirtualServerGroup> VirtualServerGroups,
    ImmutableArray<TrackFile> TrackFiles,
    SslSettings? Ssl,
    ImmutableArray<NotHandledBlock> NotHandled,
    ImmutableArray<string> Files)
{
    /// <summary>
    /// How the configuration was read. <see cref="KeepalivedImport"/> judges what keepalived would
    /// silently change on its way to the kernel the same way: an error when strict (the default
    /// for a configuration built by hand), a warning when lenient.
    /// </summary>
    public KeepalivedParseMode Mode { get; init; }
}

/// <summary>A top-level block that is parsed only to skip it, because ipvs does not handle it.</summary>
/// <param name="Keyword">The block keyword, e.g. <c>vrrp_instance</c>.</param>
/// <param name="Arguments">The words after it, e.g. the instance name.</param>
/// <param name="Location">Where the keyword is.</param>
public sealed record NotHandledBlock(string Keyword, ImmutableArray<string> Arguments, SourceLocation Location);

/// <summary>The SSL block: files for SSL_GET's client context (keepalived generates a context when absent).</summary>
/// <param name="Password">The key's password.</param>
/// <param name="CaFile">The CA file (<c>ca</c>).</param>
/// <param name="CertificateFile">The certificate (<c>certificate</c>).</param>
/// <param name="KeyFile">The private key (<c>key</c>).</param>
/// <param name="Location">Where the block starts.</param>
public sealed record SslSettings(string? Password, string? CaFile, string? CertificateFile, string? KeyFile, SourceLocation Location);

/// <summary>
/// A track_file: a file holding a number that FILE_CHECK turns into a weight change
/// (keepalived/trackers/track_file.c).
/// </summary>
/// <param name="Name">The name FILE_CHECK refers to.</param>
/// <param name="FilePath">The file (<c>file</c>).</param>
/// <param name="Weight">Multiplier for the number read, -254..254; default 1 (<c>track_file_handler</c>).</param>
/// <param name="Reverse">Whether the weight is applied reversed (<c>weight N reverse</c>).</param>
/// <param name="InitFile">Whether keepalived creates the file at start-up (<c>init_file</c>), and with which value and mode.</param>
/// <param name="Location">Where the block starts.</param>
public sealed record TrackFile(string Name, string FilePath, int Weight, bool Reverse, TrackFileInit? InitFile, SourceLocation Location);

/// <summary><c>init_file [VALUE] [overwrite]</c> of a track_file.</summary>
/// <param name="Value">The value written (default 0).</param>
/// <param name="Overwrite">Whether an existing file is overwritten.</param>
public sealed record TrackFileInit(int Value, bool Overwrite);
