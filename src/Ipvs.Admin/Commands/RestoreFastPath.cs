using Ipvs.Admin.Native;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.Admin.Commands;

/// <summary>
/// -R's fast path: the change lines <c>ipvsadm -S</c> and <c>-Sn</c> write (and hand-written
/// lines of the same shape) read straight from their bytes, without the per-line strings, argv
/// and popt emulation of the full parser. It only replaces the reading of the words: the entry it
/// fills goes through the same checks (<see cref="OptionRules.Validate"/>) and the same mapping
/// (<see cref="ModelMapping"/>) as a command line, so an accepted line gives exactly the operation
/// <see cref="RestoreCommand.Check"/> gives. Anything else (a name to look up, an option written
/// another way, a duplicate, any line the checks refuse) is not accepted, and the full parser
/// reads it and reports what is wrong as before.
/// </summary>
/// <remarks>
/// The grammar: a command (-A -E -D -a -e -d, or its long name), then the service (-t, -u or
/// --sctp-service with <c>a.b.c.d[:port]</c> or <c>[ipv6]:port</c>; or -f with a mark and an
/// optional -6 right after it), then in any order, each at most once: -s, -p [n], -M, --pe, -o,
/// -b, -r, -m, -i, -g, -w, -x, -y, --tun-type, --tun-port, --tun-nocsum, --tun-csum,
/// --tun-remcsum. Words "ipvsadm" are skipped and a word starting with '#' ends the line, as
/// <see cref="RestoreScript"/> splits lines. Addresses are numeric in canonical form (IPv4 parts
/// without leading zeros, which inet_aton would read as octal; IPv6 through inet_pton itself);
/// numbers are plain decimal digits; names are letters, digits and '_'.
/// </remarks>
internal sealed class RestoreFastPath
{
    private const int MaxWords = 40;
    private const int MaxWordLength = 128;
    private const int NotAnOption = -1;

    private readonly CommandEntry _ce;

    // The service key of the last line, by the words that named it: a real server's line reuses
    // its service's key (and so its IPAddress) instead of allocating one more per line.
    private readonly byte[] _keyWord = new byte[MaxWordLength];
    private int _keyWordLength = -1;
    private int _keyOption;
    private bool _keyIPv6;
    private ServiceKey _key;

    // The last scheduler and persistence-engine names, reused while they repeat.
    private string _scheduler = "";
    private string _engine = "";

    public RestoreFastPath(string program) => _ce = new CommandEntry(program);

    /// <summary>The operation of one line (its bytes without the '\n'), or null to leave it to the full parser.</summary>
    public IpvsOperation? TryParse(ReadOnlySpan<byte> line)
    {
        Span<int> starts = stackalloc int[MaxWords];
        Span<int> lengths = stackalloc int[MaxWords];
        int count = Split(line, starts, lengths);
        if (count <= 0)
        {
            return null;
        }
        try
        {
            return Parse(line, starts[..count], lengths[..count]);
        }
        catch (AdminExit)
        {
            return null; // refused by the checks: the full parser finds the same and says so
        }
        catch (ArgumentException)
        {
            return null; // refused by the model: likewise
        }
    }

    // The words as RestoreScript splits them; 0 for none, -1 when not for the fast path.
    private static int Split(ReadOnlySpan<byte> line, Span<int> starts, Span<int> lengths)
    {
        int count = 0;
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && RestoreScript.IsSeparator(line[i]))
            {
                i++;
            }
            if (i == line.Length)
            {
                break;
            }
            int w = i;
            while (i < line.Length && !RestoreScript.IsSeparator(line[i]))
            {
                i++;
            }
            if (line[w] == (byte)'#')
            {
                break;
            }
            var word = line[w..i];
            if (word.SequenceEqual("ipvsadm"u8))
            {
                continue;
            }
            if (count == starts.Length || word.Length > MaxWordLength)
            {
                return -1;
            }
            starts[count] = w;
            lengths[count] = word.Length;
            count++;
        }
        return count;
    }

    private IpvsOperation? Parse(ReadOnlySpan<byte> line, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        int count = starts.Length;
        var command = OptionOf(line.Slice(starts[0], lengths[0])) switch
        {
            'A' => Command.Add,
            'E' => Command.Edit,
            'D' => Command.Delete,
            'a' => Command.AddDest,
            'e' => Command.EditDest,
            'd' => Command.DeleteDest,
            _ => Command.None,
        };
        if (command == Command.None || count < 3)
        {
            return null;
        }
        var ce = _ce;
        ce.ResetForChange(command);
        var svc = ce.Service;

        // The service, right after the command.
        int serviceOption = OptionOf(line.Slice(starts[1], lengths[1]));
        var serviceWord = line.Slice(starts[2], lengths[2]);
        bool serviceIPv6 = false;
        int k = 3;
        SetOption(ce, Opt.Service);
        switch (serviceOption)
        {
            case 't':
            case 'u':
            case OptionTable.TagSctpService:
                svc.Protocol = serviceOption switch
                {
                    't' => Ip.IPPROTO_TCP,
                    'u' => Ip.IPPROTO_UDP,
                    _ => Ip.IPPROTO_SCTP,
                };
                if (!Endpoint(serviceWord, svc.Addr, out svc.Af, out int port))
                {
                    return null;
                }
                if (svc.Af == Ip.AF_INET6)
                {
                    svc.Netmask = 128;
                }
                if (port >= 0)
                {
                    svc.Port = (ushort)port;
                }
                break;
            case 'f':
                if (!Number(serviceWord, uint.MaxValue, out long mark) || mark == 0)
                {
                    return null;
                }
                svc.Af = Ip.AF_INET;
                svc.Protocol = Ip.IPPROTO_TCP;
                svc.Fwmark = (uint)mark;
                if (k < count && OptionOf(line.Slice(starts[k], lengths[k])) == '6')
                {
                    svc.Af = Ip.AF_INET6;
                    svc.Netmask = 128;
                    serviceIPv6 = true;
                    k++;
                }
                break;
            default:
                return null;
        }

        // The other options, in any order.
        string? schedFlags = null;
        while (k < count)
        {
            int option = OptionOf(line.Slice(starts[k], lengths[k]));
            k++;
            ReadOnlySpan<byte> arg = default;
            if (option is 's' or 'M' or 'b' or 'r' or 'w' or 'x' or 'y' or OptionTable.TagPersistenceEngine
                or OptionTable.TagTunType or OptionTable.TagTunPort)
            {
                if (k == count)
                {
                    return null;
                }
                arg = line.Slice(starts[k], lengths[k]);
                k++;
            }
            switch (option)
            {
                case 's':
                    if (!SetOption(ce, Opt.Scheduler) || !Name(arg, Scheduler.MaxLength))
                    {
                        return null;
                    }
                    svc.SchedName = _scheduler = Same(_scheduler, arg) ? _scheduler : Bytes.Latin1(arg);
                    break;
                case 'p':
                {
                    if (!SetOption(ce, Opt.Persistent))
                    {
                        return null;
                    }
                    svc.Flags |= Ip.SvcPersistent;
                    svc.Timeout = Ip.DefaultPersistentTimeout;
                    // popt's optional argument: the next word unless it starts with '-'.
                    if (k < count && line[starts[k]] != (byte)'-')
                    {
                        if (!Number(line.Slice(starts[k], lengths[k]), Ip.MaxTimeout, out long timeout) || timeout < 1)
                        {
                            return null;
                        }
                        svc.Timeout = (uint)timeout;
                        k++;
                    }
                    break;
                }
                case 'M':
                {
                    if (!SetOption(ce, Opt.Netmask))
                    {
                        return null;
                    }
                    if (svc.Af != Ip.AF_INET6)
                    {
                        Span<byte> m = stackalloc byte[4];
                        if (!IPv4(arg, m))
                        {
                            return null;
                        }
                        svc.Netmask = (uint)(m[0] << 24 | m[1] << 16 | m[2] << 8 | m[3]);
                    }
                    else
                    {
                        if (!Number(arg, 128, out long prefix) || prefix < 1)
                        {
                            return null;
                        }
                        svc.Netmask = (uint)prefix;
                    }
                    break;
                }
                case OptionTable.TagPersistenceEngine:
                    if (!SetOption(ce, Opt.PersistenceEngine) || !Name(arg, Scheduler.MaxLength))
                    {
                        return null;
                    }
                    svc.PeName = _engine = Same(_engine, arg) ? _engine : Bytes.Latin1(arg);
                    break;
                case 'o':
                    if (!SetOption(ce, Opt.OnePacket))
                    {
                        return null;
                    }
                    svc.Flags |= Ip.SvcOnePacket;
                    break;
                case 'b':
                    if (!SetOption(ce, Opt.SchedFlags) || !SchedFlagList(arg))
                    {
                        return null;
                    }
                    schedFlags = Bytes.Latin1(arg);
                    break;
                case 'r':
                {
                    if (!SetOption(ce, Opt.Server))
                    {
                        return null;
                    }
                    var dest = ce.Dest;
                    if (!Endpoint(arg, dest.Addr, out dest.Af, out int port))
                    {
                        return null;
                    }
                    dest.Port = port >= 0 ? (ushort)port : svc.Port;
                    break;
                }
                case 'm':
                case 'i':
                case 'g':
                    if (!SetOption(ce, Opt.Forward))
                    {
                        return null;
                    }
                    ce.Dest.ConnFlags = option switch
                    {
                        'm' => Ip.ConnMasq,
                        'i' => Ip.ConnTunnel,
                        _ => Ip.ConnDRoute,
                    };
                    break;
                case 'w':
                case 'x':
                case 'y':
                {
                    if (!SetOption(ce, option switch { 'w' => Opt.Weight, 'x' => Opt.UThreshold, _ => Opt.LThreshold })
                        || !Number(arg, int.MaxValue, out long n))
                    {
                        return null;
                    }
                    if (option == 'w')
                    {
                        ce.Dest.Weight = (int)n;
                    }
                    else if (option == 'x')
                    {
                        ce.Dest.UThreshold = (int)n;
                    }
                    else
                    {
                        ce.Dest.LThreshold = (int)n;
                    }
                    break;
                }
                case OptionTable.TagTunType:
                {
                    int type = arg.SequenceEqual("ipip"u8) ? Ip.TunIpIp
                        : arg.SequenceEqual("gue"u8) ? Ip.TunGue
                        : arg.SequenceEqual("gre"u8) ? Ip.TunGre
                        : -1;
                    if (!SetOption(ce, Opt.TunType) || type < 0)
                    {
                        return null;
                    }
                    ce.Dest.TunType = type;
                    break;
                }
                case OptionTable.TagTunPort:
                    if (!SetOption(ce, Opt.TunPort) || !Number(arg, 65535, out long tunPort) || tunPort < 1)
                    {
                        return null;
                    }
                    ce.Dest.TunPort = (ushort)tunPort;
                    break;
                case OptionTable.TagTunNoCsum:
                    if (!SetOption(ce, Opt.TunNoCsum))
                    {
                        return null;
                    }
                    break;
                case OptionTable.TagTunCsum:
                case OptionTable.TagTunRemCsum:
                    if (!SetOption(ce, option == OptionTable.TagTunCsum ? Opt.TunCsum : Opt.TunRemCsum))
                    {
                        return null;
                    }
                    ce.Dest.TunFlags |= (ushort)(option == OptionTable.TagTunCsum ? 1 : 2);
                    break;
                default:
                    return null;
            }
        }

        // What CommandLineParser.Parse does last, then the checks and the mapping of a command line.
        if (schedFlags is not null)
        {
            svc.Flags &= ~(Ip.SvcSched1 | Ip.SvcSched2 | Ip.SvcSched3);
            svc.Flags |= ValueParsers.ParseSchedFlags(svc.SchedName, schedFlags);
        }
        OptionRules.Validate(ce);
        switch (command)
        {
            case Command.Add:
            case Command.Edit:
            {
                var service = ModelMapping.Service(svc);
                if (service is null)
                {
                    return null;
                }
                Remember(serviceOption, serviceWord, serviceIPv6, service.Key);
                return command == Command.Add ? IpvsOperation.AddService(service) : IpvsOperation.EditService(service);
            }
            case Command.Delete:
                return IpvsOperation.DeleteService(Key(serviceOption, serviceWord, serviceIPv6));
            case Command.AddDest:
            case Command.EditDest:
            {
                if (ce.Dest.LThreshold > ce.Dest.UThreshold)
                {
                    return null; // Emulated.ThresholdRange: an error, worded by the full parser
                }
                var key = Key(serviceOption, serviceWord, serviceIPv6);
                var d = ModelMapping.Dest(ce.Dest);
                return command == Command.AddDest ? IpvsOperation.AddDestination(key, d) : IpvsOperation.EditDestination(key, d);
            }
            default:
                return IpvsOperation.DeleteDestination(Key(serviceOption, serviceWord, serviceIPv6), ModelMapping.DestKey(ce.Dest));
        }
    }

    // ModelMapping.Key of the entry's service, or the same key of the last line if the same words named it.
    private ServiceKey Key(int option, ReadOnlySpan<byte> word, bool ipv6)
    {
        if (_keyWordLength >= 0 && option == _keyOption && ipv6 == _keyIPv6 && word.SequenceEqual(_keyWord.AsSpan(0, _keyWordLength)))
        {
            return _key;
        }
        var key = ModelMapping.Key(_ce.Service);
        Remember(option, word, ipv6, key);
        return key;
    }

    private void Remember(int option, ReadOnlySpan<byte> word, bool ipv6, ServiceKey key)
    {
        word.CopyTo(_keyWord);
        _keyWordLength = word.Length;
        _keyOption = option;
        _keyIPv6 = ipv6;
        _key = key;
    }

    // CommandLineParser's SetOption, which refuses a repeated option: false leaves the line to it.
    private static bool SetOption(CommandEntry ce, int opt)
    {
        ulong bit = Opt.Bit(opt);
        if ((ce.Options & bit) != 0)
        {
            return false;
        }
        ce.Options |= bit;
        return true;
    }

    // popt's answer for "-c", by c: the first option in the table with that short name.
    private static readonly int[] ShortOptions = MakeShortOptions();

    private static int[] MakeShortOptions()
    {
        var map = new int[128];
        Array.Fill(map, NotAnOption);
        var table = OptionTable.All;
        for (int i = table.Count - 1; i >= 0; i--)
        {
            if (table[i].ShortName is > '\0' and < (char)128)
            {
                map[table[i].ShortName] = table[i].Value;
            }
        }
        return map;
    }

    /// <summary>
    /// What popt returns for a word that is one option alone ("-t", "--sctp-service"): the first
    /// match in ipvsadm's table, as popt looks it up; <see cref="NotAnOption"/> for anything else
    /// (clusters, attached arguments, "--name=value", -R's own extensions).
    /// </summary>
    internal static int OptionOf(ReadOnlySpan<byte> word)
    {
        if (word.Length < 2 || word[0] != (byte)'-')
        {
            return NotAnOption;
        }
        if (word[1] != (byte)'-')
        {
            return word.Length == 2 && word[1] < ShortOptions.Length ? ShortOptions[word[1]] : NotAnOption;
        }
        var table = OptionTable.All;
        var name = word[2..];
        if (name.IsEmpty || name.Contains((byte)'='))
        {
            return NotAnOption;
        }
        for (int i = 0; i < table.Count; i++)
        {
            var o = table[i];
            if (o.LongName is { } n && Same(n, name))
            {
                return o.Value is OptionTable.TagAtomic or OptionTable.TagHelpIpvs ? NotAnOption : o.Value;
            }
        }
        return NotAnOption;
    }

    // A byte string (one char per byte) equal to the bytes.
    private static bool Same(string s, ReadOnlySpan<byte> bytes)
    {
        if (s.Length != bytes.Length)
        {
            return false;
        }
        for (int i = 0; i < bytes.Length; i++)
        {
            if (s[i] != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// ValueParsers.ParseService of <c>a.b.c.d</c>, <c>a.b.c.d:port</c> or <c>[ipv6]:port</c>: the
    /// family, the address into <paramref name="addr"/> (4 or 16 bytes) and the port, or -1 when
    /// there is none. False for every other form, including names.
    /// </summary>
    internal static bool Endpoint(ReadOnlySpan<byte> word, byte[] addr, out ushort af, out int port)
    {
        af = 0;
        port = -1;
        if (word.IsEmpty)
        {
            return false;
        }
        ReadOnlySpan<byte> portText;
        if (word[0] == (byte)'[')
        {
            int close = word.IndexOf((byte)']');
            if (close < 0 || close + 1 == word.Length || word[close + 1] != (byte)':')
            {
                return false;
            }
            if (!IPv6(word[1..close], addr))
            {
                return false;
            }
            af = Ip.AF_INET6;
            portText = word[(close + 2)..];
        }
        else
        {
            int colon = word.IndexOf((byte)':');
            var host = colon < 0 ? word : word[..colon];
            if (!IPv4(host, addr))
            {
                return false;
            }
            af = Ip.AF_INET;
            if (colon < 0)
            {
                return true;
            }
            portText = word[(colon + 1)..];
        }
        if (!Number(portText, 65535, out long p))
        {
            return false;
        }
        port = (int)p;
        return true;
    }

    /// <summary>
    /// inet_aton() of a dotted quad in canonical form: four decimal parts of 0 to 255 without
    /// leading zeros (inet_aton reads those as octal, and other forms too: left to it).
    /// </summary>
    internal static bool IPv4(ReadOnlySpan<byte> s, Span<byte> dst)
    {
        int part = 0;
        int i = 0;
        while (true)
        {
            int start = i;
            int value = 0;
            while (i < s.Length && i - start < 3 && (uint)(s[i] - '0') <= 9)
            {
                value = (value * 10) + (s[i] - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s[start] == (byte)'0'))
            {
                return false;
            }
            dst[part++] = (byte)value;
            if (part == 4)
            {
                return i == s.Length;
            }
            if (i == s.Length || s[i] != (byte)'.')
            {
                return false;
            }
            i++;
        }
    }

    // inet_pton(AF_INET6) itself, as the full parser calls it, on hex digits, ':' and '.' only.
    private static unsafe bool IPv6(ReadOnlySpan<byte> s, byte[] dst)
    {
        if (s.Length is < 2 or > 45)
        {
            return false;
        }
        Span<byte> text = stackalloc byte[48];
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (!(char.IsAsciiHexDigit((char)b) || b == (byte)':' || b == (byte)'.'))
            {
                return false;
            }
            text[i] = b;
        }
        text[s.Length] = 0;
        Span<byte> a = stackalloc byte[16];
        fixed (byte* p = text)
        fixed (byte* d = a)
        {
            if (Libc.InetPton(NetDb.AF_INET6, p, d) <= 0)
            {
                return false;
            }
        }
        a.CopyTo(dst);
        return true;
    }

    /// <summary>
    /// A number as strtol() reads it where the whole word must be one (string_to_number() and
    /// friends): decimal digits only here (no sign or spaces), at most <paramref name="max"/>.
    /// </summary>
    internal static bool Number(ReadOnlySpan<byte> s, long max, out long value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }
        foreach (byte b in s)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }
            value = (value * 10) + (b - '0');
            if (value > max)
            {
                return false;
            }
        }
        return true;
    }

    // A scheduler or engine name the model takes as it is: letters, digits and '_'.
    private static bool Name(ReadOnlySpan<byte> s, int maxLength)
    {
        if (s.IsEmpty || s.Length > maxLength)
        {
            return false;
        }
        foreach (byte b in s)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'_'))
            {
                return false;
            }
        }
        return true;
    }

    // A -b list: starts with a letter; letters, digits, '-' and ','.
    private static bool SchedFlagList(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || s.Length > 127 || !char.IsAsciiLetter((char)s[0]))
        {
            return false;
        }
        foreach (byte b in s)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'-' || b == (byte)','))
            {
                return false;
            }
        }
        return true;
    }
}
