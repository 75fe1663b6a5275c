using System.Runtime.InteropServices;

namespace Ipvs.Admin.Native;

/// <summary>
/// Runs a program and waits for it, as ipvsadm's modprobe_ipvs() does with fork, execv and
/// waitpid. posix_spawn and waitpid straight from libc: System.Diagnostics.Process would link
/// its pipes, sockets, URI and time-zone code into the binary, and a bigger binary costs page
/// faults at every start (about 1 ms in the lab), for a path taken only when IPVS is missing.
/// </summary>
internal static unsafe class ChildProcess
{
    private const int EINTR = 4;

    /// <summary>
    /// Runs <paramref name="path"/> with <paramref name="argv"/> (argv[0] included) in this
    /// process's environment, sharing its stdin, stdout and stderr; false if it could not start.
    /// </summary>
    public static bool Run(string path, params string[] argv)
    {
        // The environment exec() gave this process, as execv() passes environ on.
        byte[] environment = ProcFile.Read("/proc/self/environ\0"u8) ?? [];
        var strings = new List<byte[]> { CString(path) };
        foreach (string a in argv)
        {
            strings.Add(CString(a));
        }
        int envCount = 0;
        for (int i = 0; i < environment.Length; i++)
        {
            if (environment[i] == 0)
            {
                envCount++;
            }
        }
        var handles = new List<GCHandle>();
        try
        {
            var argvPtr = new nint[argv.Length + 1];
            for (int i = 0; i < argv.Length; i++)
            {
                argvPtr[i] = Pin(strings[i + 1], handles);
            }
            var envPtr = new nint[envCount + 1];
            nint envBase = Pin(environment, handles);
            for (int i = 0, start = 0, n = 0; i < environment.Length; i++)
            {
                if (environment[i] == 0)
                {
                    envPtr[n++] = envBase + start;
                    start = i + 1;
                }
            }
            int pid;
            fixed (byte* p = strings[0])
            fixed (nint* a = argvPtr)
            fixed (nint* e = envPtr)
            {
                if (Libc.PosixSpawn(&pid, p, null, null, a, e) != 0)
                {
                    return false;
                }
            }
            int status;
            while (Libc.WaitPid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == EINTR)
            {
            }
            return true;
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Free();
            }
        }
    }

    private static nint Pin(byte[] bytes, List<GCHandle> handles)
    {
        var h = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        handles.Add(h);
        return h.AddrOfPinnedObject();
    }

    private static byte[] CString(string s)
    {
        var b = new byte[s.Length + 1];
        for (int i = 0; i < s.Length; i++)
        {
            b[i] = (byte)s[i];
        }
        return b;
    }
}

/// <summary>Whole small files (under /proc) read with open/read/close from libc.</summary>
internal static unsafe class ProcFile
{
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int EINTR = 4;

    /// <summary>The file's bytes, or null if it cannot be read. <paramref name="path"/> ends in NUL.</summary>
    public static byte[]? Read(ReadOnlySpan<byte> path)
    {
        // Not File.ReadAllBytes: FileStream's machinery would cost page faults at every start.
        int fd;
        fixed (byte* p = path)
        {
            fd = Libc.Open(p, O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0)
        {
            return null;
        }
        try
        {
            var buffer = new byte[4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                nint n;
                fixed (byte* b = buffer)
                {
                    n = Libc.Read(fd, b + length, buffer.Length - length);
                }
                if (n > 0)
                {
                    length += (int)n;
                }
                else if (n == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
                else if (Marshal.GetLastPInvokeError() != EINTR)
                {
                    return null;
                }
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
