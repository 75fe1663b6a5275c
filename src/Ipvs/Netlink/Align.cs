namespace Ipvs.Netlink;

internal static class Align
{
    // #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) )
    // #define NLA_ALIGN(len)   (((len) + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1))
    // Both ALIGNTO values are 4, so one helper serves messages and attributes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int To4(int length) => (length + 3) & ~3;
}
