using Ipvs.Admin.Commands;
using Ipvs.Admin.Formatting;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;

namespace Ipvs.Admin;

internal static class Program
{
    private const int SIGSEGV = 11;

    private static int Main()
    {
        string[] argv = ProcessArgs.Read();
        using var terminal = Terminal.OpenStandard();
        try
        {
            return AdminApp.Run(argv, terminal, static () => new FdStream(0)) & 0xFF;
        }
        catch (AdminExit e)
        {
            terminal.Err(e.Stderr);
            if (e.Crash)
            {
                // Where ipvsadm dereferences NULL, die the same way (stdout unflushed, as there).
                Libc.Signal(SIGSEGV, 0);
                Libc.Raise(SIGSEGV);
            }
            terminal.Flush();
            return e.Code & 0xFF;
        }
    }
}
