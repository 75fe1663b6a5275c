namespace Ipvs.Netlink;

// All throw sites of the codec live here so the hot, inlined readers stay small.
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTruncatedMessage(int offset, int length, int remaining) =>
        throw new NetlinkDecodeException($"netlink message at offset {offset} claims {length} bytes but only {remaining} remain");

    [DoesNotReturn]
    public static void ThrowTruncatedAttribute(int offset, int length, int remaining) =>
        throw new NetlinkDecodeException($"netlink attribute at offset {offset} claims {length} bytes but only {remaining} remain");

    [DoesNotReturn]
    public static void ThrowAttributeSize(ushort type, int expected, int actual) =>
        throw new NetlinkDecodeException($"netlink attribute {type} should hold {expected} bytes but holds {actual}");

    [DoesNotReturn]
    public static void ThrowShortPayload(string what, int expected, int actual) =>
        throw new NetlinkDecodeException($"{what} needs {expected} bytes but the payload holds {actual}");

    [DoesNotReturn]
    public static void ThrowMissingAttribute(string what, string attribute) =>
        throw new NetlinkDecodeException($"{what} reply lacks the {attribute} attribute");

    [DoesNotReturn]
    public static void ThrowInvalidValue(string what) =>
        throw new NetlinkDecodeException(what);
}
