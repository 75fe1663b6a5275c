namespace Ipvs.Tests.Support;

// Request dispatch as genl_family_rcv_msg does it, and reply framing (ACKs, errors, dump chunks).
internal sealed partial class FakeKernel
{
    private void Handle(SentMessage m, List<byte[]> replies)
    {
        switch (m.Type)
        {
            case NetlinkConstants.GENL_ID_CTRL:
                HandleControl(m, replies);
                break;
            case NetlinkConstants.NLMSG_NOOP:
                AckIfAsked(m, replies);
                break;
            case FamilyId:
                HandleIpvs(m, replies);
                break;
            default:
                replies.Add(Error(m, Errno.EINVAL));
                break;
        }
    }

    private void HandleControl(SentMessage m, List<byte[]> replies)
    {
        string? name = null;
        var a = new AttributeReader(m.Attributes);
        while (a.MoveNext())
        {
            if (a.Type == NetlinkConstants.CTRL_ATTR_FAMILY_NAME)
            {
                name = a.GetString();
            }
        }
        if (m.Command != NetlinkConstants.CTRL_CMD_GETFAMILY || !FamilyAvailable || name != "IPVS")
        {
            replies.Add(Error(m, Errno.ENOENT));
            return;
        }
        replies.Add(Nla.Genl(NetlinkConstants.GENL_ID_CTRL, 0, m.Sequence, 1 /* CTRL_CMD_NEWFAMILY */,
            Nla.Str(NetlinkConstants.CTRL_ATTR_FAMILY_NAME, "IPVS"),
            Nla.U16(NetlinkConstants.CTRL_ATTR_FAMILY_ID, FamilyId),
            Nla.U32(NetlinkConstants.CTRL_ATTR_VERSION, 1),
            Nla.U32(4 /* CTRL_ATTR_HDRSIZE */, 0),
            Nla.U32(NetlinkConstants.CTRL_ATTR_MAXATTR, 6)));
        AckIfAsked(m, replies);
    }

    private void HandleIpvs(SentMessage m, List<byte[]> replies)
    {
        bool dump = (m.Flags & NetlinkConstants.NLM_F_DUMP) == NetlinkConstants.NLM_F_DUMP;
        var cmd = (IpvsCommand)m.Command;
        if (FailNext > 0)
        {
            // The permission check comes before doit and dumpit alike.
            FailNext--;
            replies.Add(Error(m, FailWith));
            return;
        }
        switch (cmd)
        {
            case IpvsCommand.GetService when dump:
                {
                    var entries = _services.Select(s => s.Encode()).ToList();
                    if (MissInNextServiceDumps > 0 && entries.Count > 0)
                    {
                        MissInNextServiceDumps--;
                        entries.RemoveAt(0);
                    }
                    if (RepeatInNextServiceDumps > 0 && entries.Count > 0)
                    {
                        RepeatInNextServiceDumps--;
                        entries.Add(entries[0]);
                    }
                    Dump(m, replies, entries, IpvsCommand.NewService, GhostService);
                    return;
                }
            case IpvsCommand.GetService:
                {
                    var id = ParseTop(m, out _, out _, out _);
                    var svc = id is null ? null : _services.FirstOrDefault(s => s.Matches(id));
                    if (svc is null)
                    {
                        replies.Add(Error(m, id is null ? Errno.EINVAL : Errno.ESRCH));
                        return;
                    }
                    replies.Add(Nla.Genl(FamilyId, 0, m.Sequence, (byte)IpvsCommand.NewService, svc.Encode()));
                    AckIfAsked(m, replies);
                    return;
                }
            case IpvsCommand.GetDest when dump:
                {
                    // A missing or malformed service gives an empty dump, not ESRCH (ctl.c:3360).
                    var id = ParseTop(m, out _, out _, out _);
                    var svc = id is null ? null : _services.FirstOrDefault(s => s.Matches(id));
                    var entries = svc is null ? [] : svc.Destinations.Select(d => d.Encode()).ToList();
                    byte[]? repeat = null;
                    if (MissInNextDestinationDumps > 0 && entries.Count > 0)
                    {
                        MissInNextDestinationDumps--;
                        entries.RemoveAt(0);
                    }
                    if (RepeatInNextDestinationDumps > 0 && entries.Count > 0)
                    {
                        RepeatInNextDestinationDumps--;
                        repeat = entries[^1];
                    }
                    Dump(m, replies, entries, IpvsCommand.NewDest, GhostDest, repeat);
                    return;
                }
            case IpvsCommand.GetDaemon when dump:
                Dump(m, replies, _daemons.Where(d => d is not null).Select(d => d!.Encode()).ToList(), IpvsCommand.NewDaemon, null);
                return;
            case IpvsCommand.GetConfig when !dump:
                replies.Add(Nla.Genl(FamilyId, 0, m.Sequence, (byte)IpvsCommand.SetConfig,
                    Nla.U32(IpvsWire.CmdAttrTimeoutTcp, _tcp),
                    Nla.U32(IpvsWire.CmdAttrTimeoutTcpFin, _tcpFin),
                    Nla.U32(IpvsWire.CmdAttrTimeoutUdp, _udp)));
                AckIfAsked(m, replies);
                return;
            case IpvsCommand.GetInfo when !dump:
                replies.Add(Nla.Genl(FamilyId, 0, m.Sequence, (byte)IpvsCommand.SetInfo,
                    Nla.U32(IpvsWire.InfoVersion, 0x010201),
                    Nla.U32(IpvsWire.InfoConnTabSize, 4096)));
                AckIfAsked(m, replies);
                return;
        }
        // No doit for GET_DEST/GET_DAEMON, no dumpit for the rest, no op for SET_INFO or unknown
        // commands: genl_family_rcv_msg answers EOPNOTSUPP.
        if (dump || cmd is IpvsCommand.GetDest or IpvsCommand.GetDaemon or IpvsCommand.GetConfig or IpvsCommand.GetInfo
            or IpvsCommand.SetInfo or < IpvsCommand.NewService or > IpvsCommand.Flush)
        {
            replies.Add(Error(m, Errno.EOPNOTSUPP));
            return;
        }
        int errno = Apply(m, cmd);
        if (errno != 0)
        {
            replies.Add(Error(m, errno));
        }
        else
        {
            AckIfAsked(m, replies);
        }
    }

    // Entries that exist nowhere: what an inconsistent (interrupted) dump may show.
    private static readonly byte[] GhostService = new FakeService(Identity.From(ServiceKey.Parse("tcp:192.0.2.250:1")))
    {
        Settings = new ServiceSettings("wlc", null, 0, uint.MaxValue, 0, [255, 255, 255, 255]),
    }.Encode();

    private static readonly byte[] GhostDest = new FakeDest(IpvsWire.AF_INET, [192, 0, 2, 251, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, 0, 1, 0, 0, 0, 0, 0).Encode();

    // lateChunk: entries a resumed walk finds after the kernel sent every entry it had, in a
    // datagram of their own.
    private void Dump(SentMessage m, List<byte[]> replies, List<byte[]> entries, IpvsCommand replyCommand, byte[]? ghost, byte[]? lateChunk = null)
    {
        Dumps++;
        ushort flags = NetlinkConstants.NLM_F_MULTI;
        if (InterruptNextDumps > 0)
        {
            InterruptNextDumps--;
            flags |= NetlinkConstants.NLM_F_DUMP_INTR;
            if (ghost is not null)
            {
                entries = [ghost, .. entries]; // the client must not keep anything from this attempt
            }
        }
        var messages = entries.Select(e => Nla.Genl(FamilyId, flags, m.Sequence, (byte)replyCommand, e)).ToList();
        int per = Math.Max(1, DumpEntriesPerDatagram);
        var chunks = new List<List<byte[]>>();
        for (int i = 0; i < messages.Count; i += per)
        {
            chunks.Add([.. messages.Skip(i).Take(per)]);
        }
        if (lateChunk is not null)
        {
            chunks.Add([Nla.Genl(FamilyId, flags, m.Sequence, (byte)replyCommand, lateChunk)]);
        }
        // NLMSG_DONE comes from a call of the dump function that found nothing left to send, in a
        // datagram of its own (netlink_dump sends a chunk as soon as the dump function filled any).
        chunks.Add([Nla.Done(m.Sequence, flags)]);
        foreach (var c in chunks)
        {
            replies.Add(Bytes.Concat([.. c]));
        }
    }

    private void AckIfAsked(SentMessage m, List<byte[]> replies)
    {
        if (m.Ack)
        {
            replies.Add(Nla.Error(m.Sequence, 0, m.Header));
        }
    }

    private byte[] Error(SentMessage m, int errno) => Nla.Error(m.Sequence, errno, m.Header, ExtAckText);
}
