using Ipvs.Admin.Native;
using Ipvs.Netlink;

namespace Ipvs.Admin.Commands;

/// <summary>ipvs_strerror(): the library's ipvsadm wording, and strerror() where ipvsadm has none.</summary>
internal static class KernelErrors
{
    public static string Message(Exception e) => e switch
    {
        IpvsException ie => Wording(ie.IpvsadmMessage, ie.Errno),
        NetlinkException ne => Wording(Errno.Describe(ne.Errno), ne.Errno),
        _ => e.Message,
    };

    private static string Wording(string text, int errno) =>
        string.Equals(text, Errno.Describe(errno), StringComparison.Ordinal) ? NetDb.StrError(errno) : text;

    /// <summary>strerror(errno), as ipvs_strerror() falls back to.</summary>
    public static string StrError(int errno) => NetDb.StrError(errno);
}
