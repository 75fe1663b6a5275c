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
