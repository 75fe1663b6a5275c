namespace Ipvs.Keepalived.Mapping;

// global_defs: what reaches the kernel (lvs_timeouts, set by the checker process at start-up in
// check_daemon.c) and what does not have a place in the desired state.
internal sealed partial class ImportSession
{
    private (Timeouts Timeouts, SourceLocation Location)? Global()
    {
        var global = _config.Global;
        if (global.LvsSyncDaemon is { } sync)
        {
            _d.Warning(DiagnosticCodes.NotHandled, sync.Location,
                $"lvs_sync_daemon {sync.Interface}: sync daemons are not in the desired state",
                "keepalived's VRRP process starts and stops it with the VRRP state; keep keepalived for VRRP and sync, or start it with ipvsadm --start-daemon");
        }
        if (global.LvsFlush && Setting("lvs_flush") is { } flush)
        {
            NotMapped(flush, "lvs_flush: keepalived flushes the whole IPVS table at start-up; applying the desired state leaves undeclared services alone",
                "apply with --prune to delete the services the configuration does not declare");
        }
        if (global.LvsFlushOnStop != LvsFlushOnStop.None && Setting("lvs_flush_on_stop") is { } onStop)
        {
            NotMapped(onStop, "lvs_flush_on_stop: what keepalived removes when it stops is not part of the desired state");
        }
        foreach (var keyword in (ReadOnlySpan<string>)["net_namespace", "net_namespace_ipvs"])
        {
            if (global.Settings.FirstOrDefault(s => s.Keyword == keyword) is { Arguments.Length: > 0 } netns)
            {
                NotMapped(netns.Location, $"{keyword} {netns.Arguments[0]}: keepalived drives the IPVS table of that network namespace",
                    $"apply with --netns {netns.Arguments[0]}");
            }
        }
        if (Setting("nftables_ipvs") is { } nft && _config.VirtualServers.Any(vs => vs.Id is VirtualServerGroupId))
        {
            // check_nftables.c: a group becomes one fwmark service per protocol and family, its
            // addresses nftables rules; the import expands groups into address services instead.
            _d.Fatal(DiagnosticCodes.Unsupported, nft,
                "nftables_ipvs: keepalived then turns each virtual_server_group into a firewall-mark service fed by nftables rules, which the import does not reproduce",
                "remove nftables_ipvs (each address of a group becomes a service of its own), or keep keepalived for these groups");
        }
        if (global.LvsTimeouts is not { } t)
        {
            return null;
        }
        // A timeout left out is 0, which the kernel and the desired state both read as "unchanged".
        var timeouts = Timeouts.FromSeconds(Seconds(t.Tcp), Seconds(t.TcpFin), Seconds(t.Udp));
        return (timeouts, t.Location);
    }

    private static int Seconds(uint? value) => (int)Math.Min(value ?? 0, int.MaxValue);

    private SourceLocation? Setting(string keyword) => _config.Global.Settings.LastOrDefault(s => s.Keyword == keyword)?.Location;
}
