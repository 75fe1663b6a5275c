using System.Runtime.InteropServices;

namespace Ipvs.Checks.Probes;

/// <summary>
/// User look-up through the C library (getpwnam_r), so that NSS users (LDAP, systemd's dynamic
/// users) are found as keepalived finds them, not only those in /etc/passwd.
/// </summary>
internal static unsafe partial class Users
{
    private const int ERANGE = 34;

    /// <summary>The user's uid and primary gid, or null when there is no such user.</summary>
    public static (uint Uid, uint Gid)? Find(string name)
    {
        int size = 1024;
        while (true)
        {
            byte[] buffer = new byte[size];
            Passwd entry;
            Passwd* result;
            int error;
            fixed (byte* b = buffer)
            {
                error = getpwnam_r(name, &entry, b, (nuint)size, &result);
            }
            if (error == ERANGE && size < 1 << 20)
            {
                size *= 4;
                continue;
            }
            if (error != 0)
            {
                throw new ProbeFailure($"looking up the user '{name}' failed (errno {error})");
            }
            return result is null ? null : (entry.pw_uid, entry.pw_gid);
        }
    }

    // struct passwd of glibc and musl on 64-bit and 32-bit Linux alike: pointers and uid_t/gid_t.
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint pw_name;
        public nint pw_passwd;
        public uint pw_uid;
        public uint pw_gid;
        public nint pw_gecos;
        public nint pw_dir;
        public nint pw_shell;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getpwnam_r(string name, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);
}
