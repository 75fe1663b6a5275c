namespace Ipvs.Model;

/// <summary>Virtual service flags (IP_VS_SVC_F_*). The scheduler flags mean different things per scheduler.</summary>
[Flags]
public enum ServiceFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Persistent service; set by the kernel whenever a persistence timeout is given.</summary>
    Persistent = 0x0001,

    /// <summary>Hashed entry; kernel-internal, reported in dumps and ignored on writes.</summary>
    Hashed = 0x0002,

    /// <summary>One-packet scheduling (UDP only): schedule every datagram independently.</summary>
    OnePacket = 0x0004,

    /// <summary>Scheduler flag 1: sh-fallback for sh, mh-fallback for mh.</summary>
    SchedulerFlag1 = 0x0008,

    /// <summary>Scheduler flag 2: sh-port for sh, mh-port for mh.</summary>
    SchedulerFlag2 = 0x0010,

    /// <summary>Scheduler flag 3 (unused by the kernel's schedulers).</summary>
    SchedulerFlag3 = 0x0020,

    /// <summary>sh: fall back to another server when the chosen one is unavailable (= flag 1).</summary>
    ShFallback = SchedulerFlag1,

    /// <summary>sh: include the source port in the hash (= flag 2).</summary>
    ShPort = SchedulerFlag2,

    /// <summary>mh: fall back to another server when the chosen one is unavailable (= flag 1).</summary>
    MhFallback = SchedulerFlag1,

    /// <summary>mh: include the source port in the hash (= flag 2).</summary>
    MhPort = SchedulerFlag2,
}
