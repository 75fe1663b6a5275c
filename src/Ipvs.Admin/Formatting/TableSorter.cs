using Ipvs.Admin.Options;

namespace Ipvs.Admin.Formatting;

/// <summary>
/// ipvsadm's sorting: glibc's qsort() (a stable top-down merge sort in Debian 12's glibc) with
/// libipvs's comparators, whose subtractions wrap as C's do (so 200.0.0.1 sorts before 10.0.0.1
/// and large firewall marks before small ones, exactly as ipvsadm prints them).
/// </summary>
internal static class TableSorter
{
    public static int CompareServices(ServiceRow s1, ServiceRow s2) =>
        ServiceSortKey.Compare(ServiceSortKey.Of(s1, 0), ServiceSortKey.Of(s2, 0));

    public static int CompareDests(DestRow d1, DestRow d2)
    {
        int r = CompareAddresses(d1.Af, d1.Addr, d2.Addr);
        if (r != 0)
        {
            return r;
        }
        return d1.Port - d2.Port;
    }

    private static int CompareAddresses(ushort af, byte[] a, byte[] b)
    {
        int r = 0;
        if (af == Ip.AF_INET6)
        {
            for (int i = 0; r == 0 && i < 4; i++)
            {
                r = unchecked((int)(Word(a, i) - Word(b, i)));
            }
        }
        else
        {
            r = unchecked((int)(Word(a, 0) - Word(b, 0)));
        }
        return r;
    }

    private static uint Word(byte[] a, int i) =>
        (uint)(a[4 * i] << 24 | a[4 * i + 1] << 16 | a[4 * i + 2] << 8 | a[4 * i + 3]);

    /// <summary>glibc msort_with_tmp(): n1 = n/2 first, ties taken from the left.</summary>
    public static void Sort<T>(T[] items, Func<T, T, int> compare)
    {
        if (items.Length < 2)
        {
            return;
        }
        var tmp = new T[items.Length];
        MergeSort(items, 0, items.Length, tmp, compare);
    }

    private static void MergeSort<T>(T[] b, int start, int n, T[] tmp, Func<T, T, int> compare)
    {
        if (n <= 1)
        {
            return;
        }
        int n1 = n / 2;
        int n2 = n - n1;
        int b1 = start;
        int b2 = start + n1;
        MergeSort(b, b1, n1, tmp, compare);
        MergeSort(b, b2, n2, tmp, compare);
        int t = 0;
        while (n1 > 0 && n2 > 0)
        {
            if (compare(b[b1], b[b2]) <= 0)
            {
                tmp[t++] = b[b1++];
                n1--;
            }
            else
            {
                tmp[t++] = b[b2++];
                n2--;
            }
        }
        while (n1 > 0)
        {
            tmp[t++] = b[b1++];
            n1--;
        }
        Array.Copy(tmp, 0, b, start, n - n2);
    }
}

/// <summary>
/// What ipvs_cmp_services compares of a service, as a small value: a big table is sorted on these
/// (with the index of the service they stand for) rather than on a row object per service.
/// </summary>
internal readonly struct ServiceSortKey
{
    private readonly uint _fwmark;
    private readonly ushort _af;
    private readonly ushort _protocol;
    private readonly uint _a0;
    private readonly uint _a1;
    private readonly uint _a2;
    private readonly uint _a3;
    private readonly ushort _port;

    private ServiceSortKey(ServiceRow s, int index)
    {
        _fwmark = s.Fwmark;
        _af = s.Af;
        _protocol = s.Protocol;
        _a0 = Word(s.Addr, 0);
        _a1 = Word(s.Addr, 1);
        _a2 = Word(s.Addr, 2);
        _a3 = Word(s.Addr, 3);
        _port = s.Port;
        Index = index;
    }

    /// <summary>The position of the service this key stands for, in the caller's list.</summary>
    public int Index { get; }

    public static ServiceSortKey Of(ServiceRow s, int index) => new(s, index);

    /// <summary>ipvs_cmp_services(), subtractions wrapping as C's do.</summary>
    public static int Compare(ServiceSortKey s1, ServiceSortKey s2)
    {
        int r = unchecked((int)(s1._fwmark - s2._fwmark));
        if (r != 0)
        {
            return r;
        }
        r = s1._af - s2._af;
        if (r != 0)
        {
            return r;
        }
        r = s1._protocol - s2._protocol;
        if (r != 0)
        {
            return r;
        }
        // ipvs_cmp_services compares the addresses by the first service's family: all four
        // words for IPv6 (the first that differs decides), the first word for IPv4.
        r = unchecked((int)(s1._a0 - s2._a0));
        if (r == 0 && s1._af == Ip.AF_INET6)
        {
            r = unchecked((int)(s1._a1 - s2._a1));
            if (r == 0)
            {
                r = unchecked((int)(s1._a2 - s2._a2));
            }
            if (r == 0)
            {
                r = unchecked((int)(s1._a3 - s2._a3));
            }
        }
        if (r != 0)
        {
            return r;
        }
        return s1._port - s2._port;
    }

    private static uint Word(byte[] a, int i) =>
        (uint)(a[4 * i] << 24 | a[4 * i + 1] << 16 | a[4 * i + 2] << 8 | a[4 * i + 3]);
}
