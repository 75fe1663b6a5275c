#!/usr/bin/env bash
# The README's first command: the thesis's Fig. 13 scenario, run through the Ipvs library against
# a real Linux kernel in the kernel lab, then the table printed by the library and by the real
# ipvsadm. Installs what it needs (user-mode-linux, ipvsadm) through lab/run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
dotnet build examples/ThesisFig13 -c Release --nologo -v quiet -clp:ErrorsOnly >&2
exec lab/run -- bash -c '
  set -euo pipefail
  ns=fig13
  ip netns add $ns
  ip -n $ns link set lo up
  dotnet examples/ThesisFig13/bin/Release/net10.0/ThesisFig13.dll $ns
  echo "== the same table read by the real ipvsadm (ipvsadm -Ln)"
  ip netns exec $ns ipvsadm -Ln
'
