namespace Ipvs.Cli.Help;

/// <summary>The prose of each command's man page; options and arguments come from the command tree.</summary>
internal sealed record ManText(string[] Description, (string Code, string Meaning)[] ExitStatus, (string Line, string Meaning)[] Examples, string[] SeeAlso)
{
    private static readonly (string, string)[] Usual =
    [
        ("0", "Success."),
        ("1", "The kernel refused or failed (the message says what it answered), or the command line is wrong: an unknown option, a missing argument, a value not among the choices."),
        ("2", "Bad input: a file, line or value that cannot be used, named with its place (file:line, or a JSON path). Nothing was applied."),
    ];

    private static readonly string[] SeeAlsoAll = ["ipvsadm(8)", "ip-netns(8)", "README.md of the Ipvs project"];

    public static ManText For(string command) => command switch
    {
        "list" => new(
            [
                "Reads the whole table in one pass (a service dump and one destination dump per service) and prints it. The default table names things in words (masq, route, tunnel; persistence 300s) and sorts by a total order: IPv4 before IPv6, then protocol, address and port, firewall marks last; destinations by address and port.",
                "-o json prints the stable document described in README.md (the same shape `ipvs save -o json` writes, plus connection counts, and the counters and rates when asked); -o yaml prints the same document as YAML.",
                "Large numbers in the table are shortened (12.3K, 4.56M, powers of 1000) unless --exact is given.",
            ],
            Usual,
            [
                ("ipvs list", "The table."),
                ("ipvs list --stats --rates", "With the counters and the per-second rates."),
                ("ipvs list -o json | jq '.services[].destinations[] | select(.weight == 0)'", "Quiesced real servers, for a script."),
                ("ipvs list --netns lb1", "The table of network namespace lb1."),
            ],
            SeeAlsoAll),
        "save" => new(
            [
                "Prints the table as rules. The ipvsadm format is exactly what `ipvsadm -Sn` prints (with --names, `ipvsadm -S`), so either `ipvs restore` or `ipvsadm -R` reads it back. The JSON format also carries the TCP, TCP FIN and UDP timeouts.",
            ],
            Usual,
            [
                ("ipvs save > rules", "Save the table in ipvsadm's format."),
                ("ipvs save -o json > table.json", "Save it as JSON, timeouts included."),
            ],
            SeeAlsoAll),
        "restore" => new(
            [
                "Reads the whole file first and checks every line: syntax, values, and what the running kernel supports. If anything is wrong, every problem is reported with its place (file:line for ipvsadm rules, a JSON path such as services[3].destinations[0].weight for JSON) and nothing is applied (exit status 2).",
                "Then the changes go to the kernel in batches (many requests per system call, far faster than one `ipvsadm` command per line). The apply stops at the first change the kernel refuses, and says which line it was and how many changes before it were applied; with --atomic those are undone instead, so the table is either fully restored or unchanged.",
                "The ipvsadm format is the one `ipvsadm -S` prints and `ipvsadm -R` reads: -A -E -D -C -a -e -d -Z --set --start-daemon --stop-daemon, one command per line, '#' starting a comment. Listing commands are refused in a rules file. On a terminal, a progress bar shows on standard error for inputs of 2,000 changes or more.",
            ],
            [
                ("0", "The whole file was applied (or, with --check, is valid)."),
                ("1", "The kernel refused a change: the message names the line; what was applied before it is stated (with --atomic: rolled back). Also for command-line mistakes."),
                ("2", "Bad input: every bad line or field is listed with its place. Nothing was applied."),
            ],
            [
                ("ipvs restore rules", "Apply a rules file saved by `ipvs save` or `ipvsadm -S`."),
                ("ipvs restore --flush --atomic table.json", "Replace the table with a saved one, all or nothing."),
                ("ipvs restore --check rules", "Check a file without applying it."),
                ("generate-rules | ipvs restore -", "Apply rules from standard input."),
            ],
            SeeAlsoAll),
        "top" => new(
            [
                "Shows the services, and their destinations under them, refreshed every interval: weight, active and inactive connections, and per-second rates of new connections, packets and bytes in and out. The rates are the difference of the kernel's counters between two refreshes divided by the time between them (the kernel's own estimate, shown on the first frame, lags by seconds).",
                "On a terminal, the screen is redrawn in place; keys: s changes the sort key, r reverses the order, space refreshes now, q quits. With --batch, or when standard output is not a terminal, each frame is printed after the previous one, as `top -b` does.",
            ],
            [("0", "Quit with q, Ctrl-C, or after --iterations frames."), ("1", "The kernel could not be read.")],
            [
                ("ipvs top", "Watch the table."),
                ("ipvs top -s active -d 5", "Sorted by active connections, every 5 seconds."),
                ("ipvs top -b -n 3 > frames.txt", "Three frames, one second apart, into a file."),
            ],
            SeeAlsoAll),
        "check" => new(
            [
                "Reads a configuration and validates it whole, without the kernel: syntax (a C# script is compiled; a keepalived.conf is parsed strictly: an unknown keyword, a missing or extra brace, a misplaced block, a duplicate real_server or a value out of range is an error), then the desired table itself: duplicate services or destinations, weights and thresholds out of range, netmasks, forwarding methods impossible for a destination of another address family, scheduler names too long for the kernel, health-check settings. Every problem is printed with its place (file:line:col) and the status is 2.",
                "A C# script is evaluated declaratively: it declares services (the VirtualServer DSL); live objects, which change the kernel at once, are an error here (run those with `ipvs script`). vrrp_* blocks of a keepalived.conf are reported as warnings: keep keepalived for VRRP.",
            ],
            [("0", "The configuration is valid."), ("1", "A command-line mistake."), ("2", "The configuration has errors; each is listed with its place.")],
            [
                ("ipvs check lb.csx", "Validate a C# configuration."),
                ("ipvs check /etc/keepalived/keepalived.conf", "Validate a keepalived configuration, strictly."),
            ],
            SeeAlsoAll),
        "plan" => new(
            [
                "Validates the configuration (as `ipvs check`), reads the kernel's table, and prints the minimal, ordered changes that make the table match: + adds, ~ changes in place (a scheduler, flags, persistence, a weight, thresholds or a forwarding method is edited, so live connections survive), - deletes. A service or destination is deleted and re-added only when its key changes; the table is never flushed.",
                "Only the services the configuration declares are managed; with --prune, services it does not declare are deleted too. -o json prints the plan as a stable JSON document.",
            ],
            Usual,
            [
                ("ipvs plan lb.csx", "What applying lb.csx would change."),
                ("ipvs plan --prune -o json keepalived.conf", "The changes, as JSON, including deletions of undeclared services."),
            ],
            SeeAlsoAll),
        "apply" => new(
            [
                "Plans as `ipvs plan` does, shows the plan, asks for confirmation (or takes --yes), and applies it through the batch interface. It stops at the first change the kernel refuses and reports each change's outcome, so what was applied is exact; with --atomic the applied changes are undone instead. Applying the same configuration twice changes nothing the second time.",
            ],
            [
                ("0", "Applied (or nothing to change, or declined at the prompt)."),
                ("1", "The kernel refused a change (each change's outcome is printed), or --yes is missing without a terminal, or a command-line mistake."),
                ("2", "The configuration has errors; nothing was applied."),
            ],
            [
                ("ipvs apply lb.csx", "Show the plan and apply it after confirmation."),
                ("ipvs apply --yes --atomic keepalived.conf", "Apply a keepalived.conf's LVS part, all or nothing, without asking."),
                ("ipvs apply --yes rules", "Make the table match a saved one (adds and edits; --prune also deletes)."),
            ],
            SeeAlsoAll),
        "convert" => new(
            [
                "Reads a configuration (as `ipvs check` does: strictly, every problem located) and writes it as a C# script in the VirtualServer DSL: every kernel setting, the daemon settings (quorum, hysteresis, sorry server, alpha, omega, delay_loop, inhibit_on_failure, virtualhost), every health check with its options, and the notify hooks. Checking, planning or applying the script gives what the source gives.",
                "The usual use is leaving keepalived's configuration language: `ipvs convert keepalived.conf -o lb.csx`, then edit lb.csx with loops, variables and functions.",
            ],
            Usual,
            [
                ("ipvs convert /etc/keepalived/keepalived.conf -o lb.csx", "Convert a keepalived configuration."),
                ("ipvs save > rules && ipvs convert rules -o lb.csx", "Turn the running table into a script to grow from."),
            ],
            SeeAlsoAll),
        "script" => new(
            [
                "Runs a C# script imperatively, as the thesis's Fig. 18 does: live Service and Dest objects whose setters change the kernel at once (new Service(\"10.0.0.1:80\", scheduler: \"wrr\").Add(); d.Weight = 3), live reads (s.Dests, d.ActiveConns, d.Stats), and helpers for health-check loops: Http.Get, Tcp.Connect, Run (no shell; the process tree is killed on timeout), Sh, Sleep, Log, Args, Exit.",
                "The script is compiled whole before anything runs: a compile error is printed as file:line:col and nothing runs (status 2). An exception stops the script and is printed at the line that threw (status 1). With --netns the kernel calls and the script's probes (Http, Tcp, Run) happen in that namespace.",
            ],
            [("N", "The script's own status (return n; or Exit(n)); 0 when it ends normally."), ("1", "The script threw; the line is printed."), ("2", "The script does not compile; nothing ran."), ("130", "Interrupted.")],
            [
                ("ipvs script examples/scripts/fig13-objects.csx", "The thesis's object API."),
                ("ipvs script --netns lb1 examples/scripts/fig18-imperative.csx -- 10.0.1.10 10.0.1.11", "A health-check loop with arguments."),
            ],
            SeeAlsoAll),
        "run" => new(
            [
                "Runs the health-checking load-balancer daemon for a configuration (a C# script, a keepalived.conf, a saved table): it checks every real server as declared (HTTP/HTTPS, TCP, UDP, DNS, SMTP, ICMP, programs, files, C# lambdas), keeps each service's pool in the kernel with the minimal changes, and follows keepalived's rules for inhibit_on_failure, quorum with hysteresis, the sorry server, alpha and omega, plus slow start and notify hooks.",
                "Graceful drain: a destination that leaves (failed, removed from the configuration, or pushed out by the sorry server) first gets weight 0 and is deleted once its active and inactive connections reach 0 or --drain-timeout passes. Drains, the managed services and the failed destinations are kept in --state-dir, so a restart (even after kill -9) carries on: the existing table is adopted as it is, with no flush and no re-adding.",
                "Reload on SIGHUP or when the file changes: the new configuration is validated whole first; with errors they are logged with their places and the running configuration stays; otherwise only the minimal plan is applied, and checks whose target and settings are unchanged keep their state. On SIGTERM the table stays as it is (traffic goes on) unless --flush-on-stop. Under systemd (Type=notify) it reports readiness and reloads.",
                "GET /metrics (Prometheus text; node_exporter's node_ipvs_backend_* names), /healthz and /status (JSON; `ipvs status` prints it) on --listen, 127.0.0.1:9323 by default.",
            ],
            [("0", "Stopped by SIGTERM or SIGINT."), ("1", "The kernel or the state file failed at start."), ("2", "The configuration has errors; nothing was applied.")],
            [
                ("ipvs run examples/web.csx", "Run the example web farm."),
                ("ipvs run --drain-timeout 60 /etc/keepalived/keepalived.conf", "Take over from keepalived with the same configuration."),
                ("systemctl reload ipvs-run", "Reload under systemd (dist/systemd/ipvs-run.service); SIGHUP does the same."),
            ],
            SeeAlsoAll),
        "status" => new(
            [
                "Asks a running `ipvs run` (at --listen) for its status and prints every service with its quorum and sorry-server state, and every destination with its state (up, ramping, down, draining, sorry), its weight and the kernel's, its connections, its checks with their runs, failures and latency, and the last error. With -o json it prints the daemon's JSON document as it is.",
            ],
            [("0", "Printed."), ("1", "No daemon answered.")],
            [
                ("ipvs status", "The local daemon's status."),
                ("ipvs status -o json | jq '.services[].destinations[] | select(.state != \"up\")'", "Destinations that are not serving."),
            ],
            SeeAlsoAll),
        "lab" => new(
            [
                "Boots the kernel lab, a Linux 6.1 kernel with IPVS that runs as an ordinary process (user-mode Linux) and sees this machine's files, and runs COMMAND in it as root, in the current directory. With no COMMAND it starts an interactive shell on your terminal. Any ipvs, ipvsadm or keepalived command or config can be tried there on a real IPVS kernel, without root and without IPVS on this machine.",
                "The first run installs user-mode-linux, ipvsadm, keepalived, busybox, iproute2 and kmod with apt-get (as root). This ipvs is on the lab's PATH. With --netns NAME the command runs in that network namespace inside the lab, created (with lo up) if it does not exist.",
            ],
            [
                ("N", "COMMAND's exit status."),
                ("124", "The lab was stopped by --timeout."),
                ("125", "The lab could not boot (the message says why)."),
                ("2", "Bad input: no lab scripts found, or no terminal for a shell."),
            ],
            [
                ("ipvs lab", "A shell on a kernel with IPVS."),
                ("ipvs lab -- ipvsadm -Ln", "Run one command there."),
                ("ipvs lab --netns t1 -- ipvs restore rules", "Try a rules file in a fresh namespace of the lab."),
            ],
            SeeAlsoAll),
        _ => new(
            [
                "ipvs reads and changes the IPVS tables of the Linux kernel through generic netlink, without ipvsadm or libipvs. Every command takes --netns to work in another network namespace. Output meant for scripts is stable JSON (-o json).",
                "Run `ipvs COMMAND --help` for a command's page.",
            ],
            Usual,
            [
                ("ipvs list", "Show the table."),
                ("ipvs save > rules && ipvs restore rules", "Save and restore."),
                ("ipvs lab", "A shell on a kernel with IPVS."),
            ],
            SeeAlsoAll),
    };
}
