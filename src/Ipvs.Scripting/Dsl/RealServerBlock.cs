namespace Ipvs.Scripting;

/// <summary>
/// The body of a <c>vs.RealServer("192.168.0.1:80", rs =&gt; { … })</c> block: keepalived's
/// real_server keywords as properties, plus declared health checks and hooks. Checks and hooks are
/// data for a health-checking daemon (they appear in the desired state and the plan); nothing here
/// runs them. A bad value is reported at the line that sets it and not kept.
/// </summary>
public sealed class RealServerBlock
{
    private readonly Declaration _declaration;
    private readonly VirtualServerBlock _service;
    private readonly DestinationKey? _key;
    private readonly List<HealthCheck> _checks = [];
    private int _weight = 1;
    private ForwardingMethod? _lbKind;
    private Hook? _notifyUp;
    private Hook? _notifyDown;
    private SlowStart? _slowStart;

    internal RealServerBlock(Declaration declaration, VirtualServerBlock service, DestinationKey? key, SourceLocation? location)
    {
        _declaration = declaration;
        _service = service;
        _key = key;
        Location = location;
    }

    internal SourceLocation? Location { get; }

    /// <summary>The virtual server this real server belongs to.</summary>
    public VirtualServerBlock VirtualServer => _service;

    /// <summary>The real server's address and port; empty when the address did not parse.</summary>
    public DestinationKey Key => _key ?? default;

    /// <summary>The address, as text (for probes: <c>Http.Get($"http://{rs.Addr}/")</c>).</summary>
    public string Addr => _key?.Address.ToString() ?? "";

    /// <summary>The port.</summary>
    public int Port => _key?.Port ?? 0;

    /// <summary>Weight (weight), 0 to 2147483647; 1 by default; 0 takes no new connections.</summary>
    public int Weight
    {
        get => _weight;
        set
        {
            if (_declaration.TryCreate(() => new Destination(IPAddress.Loopback, 0) { Weight = value }, ScriptSites.Here(), out _))
            {
                _weight = value;
            }
        }
    }

    /// <summary>This server's forwarding method (lvs_method), or null, the default, for the service's LbKind.</summary>
    public ForwardingMethod? LbKind
    {
        get => _lbKind;
        set
        {
            if (value is { } v && !Enum.IsDefined(v))
            {
                _declaration.Error("invalid-value", $"Destination {Key}: {v} is not a forwarding method.", ScriptSites.Here());
                return;
            }
            _lbKind = value;
        }
    }

    /// <summary>Upper connection threshold (uthreshold); 0, the default, means none.</summary>
    public int UpperThreshold
    {
        get;
        set => field = NotNegative(value, "upper threshold", field);
    }

    /// <summary>Lower connection threshold (lthreshold); 0, the default, means none.</summary>
    public int LowerThreshold
    {
        get;
        set => field = NotNegative(value, "lower threshold", field);
    }

    /// <summary>Tunnel encapsulation when forwarding by <c>Tun</c>: IP-in-IP (the default), GUE or GRE.</summary>
    public TunnelType TunnelType { get; set; }

    /// <summary>The GUE tunnel's UDP port.</summary>
    public int TunnelPort
    {
        get;
        set
        {
            if (value is < 0 or > ushort.MaxValue)
            {
                _declaration.Error("invalid-value", $"Destination {Key}: the tunnel port {value} is out of range; ports are 0 to 65535.", ScriptSites.Here());
                return;
            }
            field = value;
        }
    }

    /// <summary>Tunnel checksum options (GUE, GRE).</summary>
    public TunnelFlags TunnelFlags { get; set; }

    /// <summary>Overrides the service's <see cref="VirtualServerBlock.InhibitOnFailure"/>; null inherits it.</summary>
    public bool? InhibitOnFailure { get; set; }

    /// <summary>
    /// Declares a health check, such as <c>Check.Http("/").Expect(200)</c> or <c>Check.Tcp()</c>,
    /// with its common settings; all of a server's checks must pass for it to be in.
    /// </summary>
    /// <param name="check">The check.</param>
    /// <param name="every">Time between checks (delay_loop); null for the service's.</param>
    /// <param name="timeout">Connect timeout (connect_timeout).</param>
    /// <param name="retries">Extra attempts before a failure counts (retry).</param>
    /// <param name="delayBeforeRetry">Pause before each extra attempt (delay_before_retry).</param>
    /// <param name="rise">Successive passes to put a down server in.</param>
    /// <param name="fall">Successive failures to take an up server out.</param>
    public RealServerBlock HealthCheck(Desired.HealthCheck check, TimeSpan? every = null, TimeSpan? timeout = null, int? retries = null,
        TimeSpan? delayBeforeRetry = null, int? rise = null, int? fall = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        _checks.Add(check with
        {
            Interval = every ?? check.Interval,
            ConnectTimeout = timeout ?? check.ConnectTimeout,
            Retries = retries ?? check.Retries,
            DelayBeforeRetry = delayBeforeRetry ?? check.DelayBeforeRetry,
            Rise = rise ?? check.Rise,
            Fall = fall ?? check.Fall,
            Location = check.Location ?? ScriptSites.Here(),
        });
        return this;
    }

    /// <summary>
    /// Declares a health check written in C#, such as
    /// <c>rs.HealthCheck(async c =&gt; (await Http.GetAsync($"http://{c.Target}/")).Ok)</c>: true passes.
    /// The daemon runs it; its token fires at the timeout.
    /// </summary>
    public RealServerBlock HealthCheck(Func<CheckContext, CancellationToken, Task<bool>> probe, TimeSpan? every = null, TimeSpan? timeout = null,
        int? retries = null, TimeSpan? delayBeforeRetry = null, int? rise = null, int? fall = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return Lambda((c, ct) => new ValueTask<bool>(probe(c, ct)), every, timeout, retries, delayBeforeRetry, rise, fall);
    }

    /// <summary>Declares an async health check written in C#: true passes.</summary>
    public RealServerBlock HealthCheck(Func<CheckContext, Task<bool>> probe, TimeSpan? every = null, TimeSpan? timeout = null,
        int? retries = null, TimeSpan? delayBeforeRetry = null, int? rise = null, int? fall = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return Lambda((c, _) => new ValueTask<bool>(probe(c)), every, timeout, retries, delayBeforeRetry, rise, fall);
    }

    /// <summary>Declares a health check written in C#, such as <c>rs.HealthCheck(c =&gt; Tcp.Connect(c.Target))</c>: true passes.</summary>
    public RealServerBlock HealthCheck(Func<CheckContext, bool> probe, TimeSpan? every = null, TimeSpan? timeout = null,
        int? retries = null, TimeSpan? delayBeforeRetry = null, int? rise = null, int? fall = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return Lambda((c, _) => ValueTask.FromResult(probe(c)), every, timeout, retries, delayBeforeRetry, rise, fall);
    }

    /// <summary>Runs a program (with arguments, never through a shell) when this server comes up (notify_up).</summary>
    public RealServerBlock NotifyUp(string program, params string[] arguments) => Set(ref _notifyUp, Hooks.Program(program, arguments, ScriptSites.Here()));

    /// <summary>Runs a lambda when this server comes up.</summary>
    public RealServerBlock NotifyUp(Func<HookContext, Task> action) => Set(ref _notifyUp, Hooks.Lambda(action, ScriptSites.Here()));

    /// <summary>Runs a lambda when this server comes up.</summary>
    public RealServerBlock NotifyUp(Action<HookContext> action) => Set(ref _notifyUp, Hooks.Lambda(action, ScriptSites.Here()));

    /// <summary>Runs a program (with arguments, never through a shell) when this server goes down (notify_down).</summary>
    public RealServerBlock NotifyDown(string program, params string[] arguments) => Set(ref _notifyDown, Hooks.Program(program, arguments, ScriptSites.Here()));

    /// <summary>Runs a lambda when this server goes down.</summary>
    public RealServerBlock NotifyDown(Func<HookContext, Task> action) => Set(ref _notifyDown, Hooks.Lambda(action, ScriptSites.Here()));

    /// <summary>Runs a lambda when this server goes down.</summary>
    public RealServerBlock NotifyDown(Action<HookContext> action) => Set(ref _notifyDown, Hooks.Lambda(action, ScriptSites.Here()));

    /// <summary>After the server comes up, raise its weight from <paramref name="initialWeight"/> to <see cref="Weight"/> over <paramref name="duration"/>.</summary>
    public RealServerBlock SlowStart(TimeSpan duration, int initialWeight = 1)
    {
        _slowStart = new SlowStart(duration) { InitialWeight = initialWeight, Location = ScriptSites.Here() };
        return this;
    }

    /// <summary><c>ADDRESS:PORT</c>.</summary>
    public override string ToString() => Key.ToString();

    private RealServerBlock Lambda(Func<CheckContext, CancellationToken, ValueTask<bool>> probe, TimeSpan? every, TimeSpan? timeout,
        int? retries, TimeSpan? delayBeforeRetry, int? rise, int? fall)
    {
        // Located here rather than in HealthCheck(check, …): the frame to find is the script's call.
        var at = ScriptSites.Here();
        var check = new DelegateCheck(probe) { Name = Hooks.Name(at), Location = at };
        return HealthCheck(check, every, timeout, retries, delayBeforeRetry, rise, fall);
    }

    // Reported at the setting line; the value before stays.
    private int NotNegative(int value, string what, int before)
    {
        if (value >= 0)
        {
            return value;
        }
        _declaration.Error("invalid-value", $"Destination {Key}: the {what} {value} is negative; 0 means none.", ScriptSites.Here());
        return before;
    }

    private RealServerBlock Set(ref Hook? slot, Hook hook)
    {
        slot = hook;
        return this;
    }

    internal DesiredDestination? Build(ForwardingMethod serviceKind)
    {
        if (_key is not { } key)
        {
            return null;
        }
        var forwarding = _lbKind ?? serviceKind;
        if (!_declaration.TryCreate(
                () => new Destination(key)
                {
                    Weight = _weight,
                    Forwarding = forwarding,
                    UpperThreshold = (uint)UpperThreshold,
                    LowerThreshold = (uint)LowerThreshold,
                    TunnelType = TunnelType,
                    TunnelPort = (ushort)TunnelPort,
                    TunnelFlags = TunnelFlags,
                },
                Location,
                out var destination))
        {
            return null;
        }
        return new DesiredDestination(destination, _checks)
        {
            NotifyUp = _notifyUp,
            NotifyDown = _notifyDown,
            SlowStart = _slowStart,
            InhibitOnFailure = InhibitOnFailure,
            Location = Location,
        };
    }
}
