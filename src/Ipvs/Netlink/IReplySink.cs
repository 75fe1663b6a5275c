namespace Ipvs.Netlink;

/// <summary>Receives the attribute payloads (after the generic netlink header) of a reply or dump.</summary>
internal interface IReplySink
{
    void OnReply(byte command, ReadOnlySpan<byte> attributes);

    /// <summary>The dump is restarting after NLM_F_DUMP_INTR: forget what was received.</summary>
    void Reset();
}
