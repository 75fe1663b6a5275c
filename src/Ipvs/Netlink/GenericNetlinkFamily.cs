namespace Ipvs.Netlink;

/// <summary>A resolved generic netlink family.</summary>
internal readonly record struct GenericNetlinkFamily(ushort Id, uint Version)
{
    /// <summary>Resolves a family by name with CTRL_CMD_GETFAMILY.</summary>
    public static GenericNetlinkFamily Resolve(NetlinkConnection connection, NetlinkWriter writer, string name)
    {
        writer.Reset();
        uint seq = connection.ReserveSequences(1);
        int m = writer.BeginMessage(NetlinkConstants.GENL_ID_CTRL, NetlinkConstants.NLM_F_REQUEST, seq);
        writer.WriteGenericHeader(NetlinkConstants.CTRL_CMD_GETFAMILY, 1);
        writer.PutString(NetlinkConstants.CTRL_ATTR_FAMILY_NAME, name);
        writer.EndMessage(m);
        var sink = new Sink();
        connection.Request(writer, seq, "resolve generic netlink family " + name, sink);
        if (sink.Id == 0)
        {
            throw new NetlinkDecodeException($"the reply for family {name} carries no family id");
        }
        return new GenericNetlinkFamily(sink.Id, sink.Version);
    }

    private sealed class Sink : IReplySink
    {
        public ushort Id;
        public uint Version;

        public void OnReply(byte command, ReadOnlySpan<byte> attributes)
        {
            var a = new AttributeReader(attributes);
            while (a.MoveNext())
            {
                switch (a.Type)
                {
                    case NetlinkConstants.CTRL_ATTR_FAMILY_ID: Id = a.GetU16(); break;
                    case NetlinkConstants.CTRL_ATTR_VERSION: Version = a.GetU32(); break;
                }
            }
        }

        public void Reset()
        {
            Id = 0;
        }
    }
}
