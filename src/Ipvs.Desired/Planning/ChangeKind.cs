namespace Ipvs.Desired;

/// <summary>What a planned change does.</summary>
public enum ChangeKind
{
    /// <summary>Creates a service or destination.</summary>
    Add,

    /// <summary>Changes settings in place (SET_SERVICE, SET_DEST, SET_CONFIG): connections survive.</summary>
    Edit,

    /// <summary>Removes a service (with its destinations) or a destination.</summary>
    Delete,
}

/// <summary>What a planned change is about.</summary>
public enum ChangeTarget
{
    /// <summary>A virtual service.</summary>
    Service,

    /// <summary>A destination of a service.</summary>
    Destination,

    /// <summary>The connection timeouts.</summary>
    Timeouts,
}
