// The thesis's Fig. 19 in C#: the keepalived-like DSL. It declares the table; nothing touches
// the kernel until `ipvs apply` applies the plan.
//   ipvs check examples/scripts/fig19-dsl.csx      validate, with file:line:col for every problem
//   ipvs plan  examples/scripts/fig19-dsl.csx      the changes that would make the kernel match
//   ipvs apply examples/scripts/fig19-dsl.csx      make them
VirtualServer("10.0.0.1:80", vs =>
{
    vs.LbAlgo = "wrr";
    vs.LbKind = Nat;
    vs.Protocol = Tcp;

    vs.RealServer("192.168.0.1:80", rs =>
    {
        rs.Weight = 1;
    });

    vs.RealServer("192.168.0.2:80", rs =>
    {
        rs.Weight = 2;
    });
});
