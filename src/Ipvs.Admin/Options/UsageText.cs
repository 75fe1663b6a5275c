namespace Ipvs.Admin.Options;

/// <summary>ipvsadm 1.31's -v and -h texts, byte for byte, with argv[0] where it prints it.</summary>
internal static class UsageText
{
    public const string Version = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n";

    private const string Schedulers = "rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh";
    private const string PeList = "sip";

    public static string Usage(string p) =>
        Version +
        "Usage:\n" +
        $"  {p} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]\n" +
        $"  {p} -D virtual-service\n" +
        $"  {p} -C\n" +
        $"  {p} -R\n" +
        $"  {p} -S [-n]\n" +
        $"  {p} -a|e virtual-service -r server-address [options]\n" +
        $"  {p} -d virtual-service -r server-address\n" +
        $"  {p} -L|l [virtual-service] [options]\n" +
        $"  {p} -Z [virtual-service]\n" +
        $"  {p} --set tcp tcpfin udp\n" +
        $"  {p} --start-daemon {{master|backup}} [daemon-options]\n" +
        $"  {p} --stop-daemon {{master|backup}}\n" +
        $"  {p} -h\n\n" +
        "Commands:\n" +
        "Either long or short options are allowed.\n" +
        "  --add-service     -A        add virtual service with options\n" +
        "  --edit-service    -E        edit virtual service with options\n" +
        "  --delete-service  -D        delete virtual service\n" +
        "  --clear           -C        clear the whole table\n" +
        "  --restore         -R        restore rules from stdin\n" +
        "  --save            -S        save rules to stdout\n" +
        "  --add-server      -a        add real server with options\n" +
        "  --edit-server     -e        edit real server with options\n" +
        "  --delete-server   -d        delete real server\n" +
        "  --list            -L|-l     list the table\n" +
        "  --zero            -Z        zero counters in a service or all services\n" +
        "  --set tcp tcpfin udp        set connection timeout values\n" +
        "  --start-daemon              start connection sync daemon\n" +
        "  --stop-daemon               stop connection sync daemon\n" +
        "  --help            -h        display this help message\n\n" +
        "virtual-service:\n" +
        "  --tcp-service|-t  service-address   service-address is host[:port]\n" +
        "  --udp-service|-u  service-address   service-address is host[:port]\n" +
        "  --sctp-service    service-address   service-address is host[:port]\n" +
        "  --fwmark-service|-f fwmark          fwmark is an integer greater than zero\n" +
        "\n" +
        "Options:\n" +
        "  --ipv6         -6                   fwmark entry uses IPv6\n" +
        "  --scheduler    -s scheduler         one of " + Schedulers + ",\n" +
        "                                      the default scheduler is " + Ip.DefaultScheduler + ".\n" +
        "  --pe            engine              alternate persistence engine may be " + PeList + ",\n" +
        "                                      not set by default.\n" +
        "  --persistent   -p [timeout]         persistent service\n" +
        "  --netmask      -M netmask           persistent granularity mask\n" +
        "  --real-server  -r server-address    server-address is host (and port)\n" +
        "  --gatewaying   -g                   gatewaying (direct routing) (default)\n" +
        "  --ipip         -i                   ipip encapsulation (tunneling)\n" +
        "  --masquerading -m                   masquerading (NAT)\n" +
        "  --tun-type      type                one of ipip|gue|gre,\n" +
        "                                      the default tunnel type is " + Ip.DefaultTunnelType + ".\n" +
        "  --tun-port      port                tunnel destination port\n" +
        "  --tun-nocsum                        tunnel encapsulation without checksum\n" +
        "  --tun-csum                          tunnel encapsulation with checksum\n" +
        "  --tun-remcsum                       tunnel encapsulation with remote checksum\n" +
        "  --weight       -w weight            capacity of real server\n" +
        "  --u-threshold  -x uthreshold        upper threshold of connections\n" +
        "  --l-threshold  -y lthreshold        lower threshold of connections\n" +
        "  --connection   -c                   output of current IPVS connections\n" +
        "  --timeout                           output of timeout (tcp tcpfin udp)\n" +
        "  --daemon                            output of daemon information\n" +
        "  --stats                             output of statistics information\n" +
        "  --rate                              output of rate information\n" +
        "  --exact                             expand numbers (display exact values)\n" +
        "  --thresholds                        output of thresholds information\n" +
        "  --persistent-conn                   output of persistent connection info\n" +
        "  --tun-info                          output of tunnel information\n" +
        "  --nosort                            disable sorting output of service/server entries\n" +
        "  --sort                              does nothing, for backwards compatibility\n" +
        "  --ops          -o                   one-packet scheduling\n" +
        "  --numeric      -n                   numeric output of addresses and ports\n" +
        "  --sched-flags  -b flags             scheduler flags (comma-separated)\n" +
        "Daemon Options:\n" +
        "  --syncid sid                        syncid for connection sync (default=255)\n" +
        "  --sync-maxlen length                Max sync message length (default=1472)\n" +
        "  --mcast-interface interface         multicast interface for connection sync\n" +
        "  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)\n" +
        "  --mcast-port port                   UDP port (default=8848)\n" +
        "  --mcast-ttl ttl                     Multicast TTL (default=1)\n";

    /// <summary>--help-ipvs: what this implementation adds or does differently.</summary>
    public static string HelpIpvs(string p) =>
        $"{p} (Ipvs.Admin): ipvsadm 1.31 rebuilt on the Ipvs library\n" +
        "\n" +
        "Every command, option, listing, message and exit status is ipvsadm 1.31's (Debian\n" +
        "1:1.31-1), except -R and the two options below, which real ipvsadm does not have.\n" +
        "\n" +
        $"  {p} -R [--atomic]\n" +
        "      Reads the whole of stdin first and parses and checks every line before\n" +
        "      anything is applied. A bad line is reported with its number, as\n" +
        $"        {p} -R: line N: <ipvsadm's message>\n" +
        "      and then nothing at all is applied (exit status 2, or 255 for an option\n" +
        "      error). ipvsadm instead applies line by line and stops at the first bad\n" +
        "      line, leaving the lines before it applied.\n" +
        "      The changes are then sent in batches through the library (a few sends in\n" +
        "      all, not one socket per line). Listing lines (-L, -S, ...) print at their\n" +
        "      place in the sequence. The kernel's refusals are printed as ipvsadm prints\n" +
        "      them and, as in ipvsadm, the exit status is that of the last line.\n" +
        "      Words starting with '#' begin a comment that runs to the end of the line\n" +
        "      (ipvsadm would take them as arguments). A word 'ipvsadm' is skipped.\n" +
        "\n" +
        "  --atomic\n" +
        "      With -R only. If the kernel refuses any change, every change already\n" +
        "      applied is undone: added services and servers are deleted, edited ones\n" +
        "      get their previous settings back, deleted ones are added again with their\n" +
        "      servers, a -C is undone by restoring the table read before, timeouts and\n" +
        "      sync daemons are put back. Counters cleared by -Z cannot be restored.\n" +
        "      Exit status 255 after a rollback.\n" +
        "\n" +
        "  --help-ipvs\n" +
        "      This text.\n";
}
