# shellcheck shell=bash
# lab/netns.sh - network-namespace topologies for IPVS tests in the kernel lab.
#
# Source it (inside the lab: lab/run bash -c 'source lab/netns.sh; ...').
# It sets no shell options and is safe under set -euo pipefail.
#
#   lab_topology PREFIX N [--dr] [--index K]
#       Builds netns PREFIX-dir (director), PREFIX-cli (client) and
#       PREFIX-rs1..N (real servers), with responders running on each real
#       server, and sets the LAB_* variables below. K (1..250) picks the
#       addresses; by default the first free one is taken.
#   lab_topology_load PREFIX    set the LAB_* variables of an existing topology
#   lab_topology_del PREFIX     kill its processes, delete its netns
#
# Addresses for index K (see lab/README.md):
#   client link  10.K.0.0/24   client 10.K.0.2, director 10.K.0.1 (cli0),
#                              VIP 10.K.0.100 on the director's cli0
#   server link  10.K.1.0/24   bridge br0 in the director, 10.K.1.1;
#                              real server I = 10.K.1.(10+I) on its eth0
#   IPv6         fd00:K::/64 and fd00:K:1::/64, same host parts
#                (VIP6 fd00:K::100, real server I fd00:K:1::(10+I))
# Real servers route by default via the director (so NAT works). With --dr,
# each real server also has the VIP (/32, /128) on lo, arp_ignore=1 and
# arp_announce=2, and tunl0/ip6tnl0 up (so direct routing, -g, and
# tunnelling, -i, work); the director accepts the real servers' replies,
# which come from its own VIP (accept_local=1 on br0).
#
# Responders on every real server I (name "rsI"):
#   HTTP  busybox httpd on port 80, body "rsI\n"
#   TCP   port 9000: sends "rsI\n", then echoes what it receives
#   UDP   port 9000: answers every datagram with "rsI\n"

: "${LAB_STATE_DIR:=/run/ipvs-lab}"
LAB_HTTP_PORT=80
LAB_TCP_PORT=9000
LAB_UDP_PORT=9000
export LAB_HTTP_PORT LAB_TCP_PORT LAB_UDP_PORT
case ${BASH_SOURCE[0]} in
  */*) LAB_LIB_DIR=$(cd "${BASH_SOURCE[0]%/*}" && pwd) ;;
  *) LAB_LIB_DIR=$PWD ;;
esac

# Every process costs tens of milliseconds in UML, so these helpers prefer
# bash builtins and batch what they can.

_lab_err() { printf 'lab: %s\n' "$*" >&2; }

# ------------------------------------------------------------- basic netns
lab_netns_new() { # NAME
  local ns=${1:?usage: lab_netns_new NAME}
  ip netns add "$ns" && ip -n "$ns" link set lo up
}

_lab_netns_pids() { # NS...: print the pids of the processes in these netns
  local p ns
  for p in /proc/[0-9]*; do
    for ns; do
      if [[ $p/ns/net -ef /run/netns/$ns ]]; then
        printf '%s\n' "${p#/proc/}"
        break
      fi
    done
  done 2>/dev/null
}

_lab_netns_kill_del() { # NS...: kill everything running in them, delete them
  local -a nss=() pids=()
  local ns i
  for ns; do [[ -e /run/netns/$ns ]] && nss+=("$ns"); done
  ((${#nss[@]})) || return 0
  mapfile -t pids < <(_lab_netns_pids "${nss[@]}")
  if ((${#pids[@]})); then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "${pids[@]}" 2>/dev/null || break
      sleep 0.05
    done
  fi
  for ns in "${nss[@]}"; do printf 'netns del %s\n' "$ns"; done | ip -batch -
}

lab_netns_del() { # NAME: kill everything running in it, then delete it
  _lab_netns_kill_del "${1:?usage: lab_netns_del NAME}"
}

lab_in() { # NAME CMD...: run CMD in netns NAME
  local ns=${1:?usage: lab_in NAME CMD...}
  shift
  ip netns exec "$ns" "$@"
}

lab_sysctl() { # NAME KEY=VALUE...: set sysctls (dotted keys) in netns NAME
  local ns=${1:?usage: lab_sysctl NAME KEY=VALUE...}
  shift
  # shellcheck disable=SC2016 # expanded by the inner bash
  ip netns exec "$ns" bash -c '
    rc=0
    for kv; do
      k=${kv%%=*}
      printf "%s\n" "${kv#*=}" >"/proc/sys/${k//.//}" || rc=1
    done
    exit $rc' lab_sysctl "$@"
}

# ------------------------------------------------------------------ clients
: "${LAB_CLIENT_TIMEOUT:=5}"

lab_http_get() { # NS URL: print the body; non-zero status on failure
  local ns=${1:?usage: lab_http_get NS URL} url=${2:?usage: lab_http_get NS URL}
  local -a noproxy=()
  # (busybox wget -T crashes in Debian 12's busybox; timeout(1) bounds it.)
  if [[ -n ${http_proxy-}${HTTP_PROXY-}${https_proxy-}${HTTPS_PROXY-} ]]; then
    noproxy=(env -u http_proxy -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY)
  fi
  ip netns exec "$ns" "${noproxy[@]}" timeout "$LAB_CLIENT_TIMEOUT" busybox wget -q -O - "$url"
}

lab_tcp_get() { # NS HOST PORT: connect, print the first line the server sends
  local ns=${1:?usage: lab_tcp_get NS HOST PORT} host=${2:?} port=${3:?}
  # shellcheck disable=SC2016 # expanded by the inner bash
  ip netns exec "$ns" timeout "$LAB_CLIENT_TIMEOUT" bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    IFS= read -r line <&3 || exit 1
    printf "%s\n" "$line"' lab_tcp_get "$host" "$port"
}

lab_udp_get() { # NS HOST PORT [PAYLOAD]: send a datagram, print the reply
  local ns=${1:?usage: lab_udp_get NS HOST PORT [PAYLOAD]} host=${2:?} port=${3:?}
  local payload=${4:-hello}
  # bash reads a byte at a time, which would drop the rest of a datagram;
  # head reads the whole datagram at once.
  # shellcheck disable=SC2016 # expanded by the inner bash
  ip netns exec "$ns" timeout "$LAB_CLIENT_TIMEOUT" bash -c '
    exec 3<>"/dev/udp/$1/$2" || exit 1
    printf "%s\n" "$3" >&3
    head -n 1 <&3' lab_udp_get "$host" "$port" "$payload"
}

# ---------------------------------------------------- real-server responders
_lab_listening() { # PID HEX_PORT...: does the netns of PID listen on them all?
  local pid=$1 port f line found
  shift
  for port; do
    found=0
    for f in tcp tcp6 udp udp6; do
      [[ -r /proc/$pid/net/$f ]] || continue
      while IFS= read -r line; do
        # "sl local_address rem_address st": TCP LISTEN is 0A, bound UDP 07.
        if [[ $line =~ ^\ *[0-9]+:\ [0-9A-F]+:$port\ [0-9A-F]+:0000\ (0A|07)\  ]]; then
          found=1
          break 2
        fi
      done <"/proc/$pid/net/$f"
    done
    ((found)) || return 1
  done
}

_lab_wait_listening() { # TIMEOUT_TENTHS PID:HEX_PORT[,HEX_PORT]...
  local tries=$1 spec pid ports i
  shift
  for spec; do
    pid=${spec%%:*}
    IFS=, read -r -a ports <<<"${spec#*:}"
    for ((i = 0; ; i++)); do
      _lab_listening "$pid" "${ports[@]}" && break
      kill -0 "$pid" 2>/dev/null || return 1
      ((i < tries)) || return 1
      sleep 0.1
    done
  done
}

_lab_rs_spawn_httpd() { # PREFIX I: start httpd in the background, print nothing
  local d=$LAB_STATE_DIR/topo/$1/rs$2
  ip netns exec "$1-rs$2" busybox httpd -f -p "$LAB_HTTP_PORT" -h "$d/www" \
    </dev/null >>"$d/httpd.log" 2>&1 &
  echo "$!" >"$d/httpd.pid"
  disown "$!" # no "Killed" notices when the topology goes
}

_lab_rs_spawn_responder() { # PREFIX I ADDR...: start the TCP/UDP responder
  local prefix=$1 i=$2 d=$LAB_STATE_DIR/topo/$1/rs$2
  shift 2
  ip netns exec "$prefix-rs$i" perl "$LAB_LIB_DIR/responder.pl" "rs$i" \
    "$LAB_TCP_PORT" "$LAB_UDP_PORT" "$@" </dev/null >>"$d/responder.log" 2>&1 &
  echo "$!" >"$d/responder.pid"
  disown "$!"
}

_lab_hex_port() { printf -v "$1" '%04X' "$2"; }

lab_rs_start() { # I [PREFIX]: start real server I's HTTP responder
  local i=${1:?usage: lab_rs_start I [PREFIX]} prefix=${2:-${LAB_PREFIX:-}}
  local d=$LAB_STATE_DIR/topo/$prefix/rs$i pid hex
  [[ -d $d ]] || { _lab_err "no real server $i in topology '$prefix'"; return 1; }
  if [[ -f $d/httpd.pid ]] && kill -0 "$(<"$d/httpd.pid")" 2>/dev/null; then return 0; fi
  _lab_rs_spawn_httpd "$prefix" "$i"
  pid=$(<"$d/httpd.pid")
  _lab_hex_port hex "$LAB_HTTP_PORT"
  _lab_wait_listening 50 "$pid:$hex" ||
    { _lab_err "httpd of $prefix-rs$i did not start (see $d/httpd.log)"; return 1; }
}

lab_rs_stop() { # I [PREFIX]: stop real server I's HTTP responder
  local i=${1:?usage: lab_rs_stop I [PREFIX]} prefix=${2:-${LAB_PREFIX:-}}
  local d=$LAB_STATE_DIR/topo/$prefix/rs$i pid n
  [[ -f $d/httpd.pid ]] || return 0
  pid=$(<"$d/httpd.pid")
  rm -f "$d/httpd.pid"
  kill "$pid" 2>/dev/null || return 0
  for ((n = 0; n < 100; n++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    if ((n == 50)); then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.05
  done
  _lab_err "httpd $pid of $prefix-rs$i does not die"
  return 1
}

lab_rs_responder_restart() { # I [PREFIX]: restart real server I's TCP/UDP
  # responder, binding UDP to every address it has now (e.g. after adding a
  # VIP to its lo: UDP replies must leave from the address asked).
  local i=${1:?usage: lab_rs_responder_restart I [PREFIX]} prefix=${2:-${LAB_PREFIX:-}}
  local d=$LAB_STATE_DIR/topo/$prefix/rs$i pid hex
  local -a addrs=()
  [[ -d $d ]] || { _lab_err "no real server $i in topology '$prefix'"; return 1; }
  if [[ -f $d/responder.pid ]]; then
    pid=$(<"$d/responder.pid")
    if kill "$pid" 2>/dev/null; then
      while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    fi
  fi
  mapfile -t addrs < <(ip -n "$prefix-rs$i" -o addr show |
    awk '$3 ~ /^inet6?$/ && $4 !~ /^fe80:/ { sub(/\/.*/, "", $4); print $4 }')
  _lab_rs_spawn_responder "$prefix" "$i" "${addrs[@]}"
  pid=$(<"$d/responder.pid")
  _lab_hex_port hex "$LAB_TCP_PORT"
  _lab_wait_listening 50 "$pid:$hex" ||
    { _lab_err "responder of $prefix-rs$i did not start (see $d/responder.log)"; return 1; }
}

lab_rs_link() { # I up|down [PREFIX]: "pull the cable" of real server I
  local i=${1:?usage: lab_rs_link I up|down [PREFIX]} state=${2:?} prefix=${3:-${LAB_PREFIX:-}}
  [[ $state == up || $state == down ]] || { _lab_err "lab_rs_link: up or down, not '$state'"; return 2; }
  # The director's end of the veth: the real server sees its carrier go, but
  # keeps its addresses and routes (setting its own eth0 down would flush
  # its default route).
  ip -n "$prefix-dir" link set "rs$i" "$state"
}

# ---------------------------------------------------------------- topology
lab_topology_load() { # PREFIX: set the LAB_* variables of topology PREFIX
  local prefix=${1:?usage: lab_topology_load PREFIX}
  local f=$LAB_STATE_DIR/topo/$prefix/env
  [[ -f $f ]] || { _lab_err "no topology '$prefix'"; return 1; }
  # shellcheck source=/dev/null
  source "$f"
}

lab_topology_del() { # PREFIX: kill its processes, delete its netns, free its index
  local prefix=${1:?usage: lab_topology_del PREFIX}
  local d=$LAB_STATE_DIR/topo/$prefix f idx
  local -a nss=()
  [[ -e $d.owner ]] || return 0
  for f in /run/netns/"$prefix"-*; do
    [[ -e $f ]] || continue
    case ${f#/run/netns/"$prefix"-} in dir | cli | rs[0-9]*) nss+=("${f#/run/netns/}") ;; esac
  done
  _lab_netns_kill_del "${nss[@]}"
  idx=""
  [[ -f $d/index ]] && idx=$(<"$d/index")
  rm -rf -- "$d" "$d.owner" ${idx:+"$LAB_STATE_DIR/index/$idx"}
}

_lab_claim() { # FILE CONTENT: create FILE only if it does not exist (atomic)
  local was_set=0 rc=0
  [[ $- == *C* ]] && was_set=1
  set -C
  { printf '%s\n' "$2" >"$1"; } 2>/dev/null || rc=1
  ((was_set)) || set +C
  return "$rc"
}

lab_topology() { # PREFIX N [--dr] [--index K]
  local prefix="" n="" dr=0 idx="" arg
  while (($#)); do
    arg=$1
    shift
    case $arg in
      --dr) dr=1 ;;
      --index) idx=${1:?--index needs a value}; shift ;;
      --index=*) idx=${arg#*=} ;;
      -*) _lab_err "lab_topology: unknown option $arg"; return 2 ;;
      *)
        if [[ -z $prefix ]]; then prefix=$arg
        elif [[ -z $n ]]; then n=$arg
        else _lab_err "lab_topology: unexpected argument $arg"; return 2
        fi
        ;;
    esac
  done
  if [[ ! $prefix =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ || ! $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 240)); then
    _lab_err "usage: lab_topology PREFIX N(1..240) [--dr] [--index K(1..250)]"
    return 2
  fi
  local d=$LAB_STATE_DIR/topo/$prefix
  [[ -d $LAB_STATE_DIR/index && -d $LAB_STATE_DIR/topo ]] ||
    mkdir -p "$LAB_STATE_DIR/index" "$LAB_STATE_DIR/topo" || return 1
  _lab_claim "$d.owner" "$$" ||
    { _lab_err "topology '$prefix' exists (lab_topology_del $prefix)"; return 1; }

  # Claim an address index atomically, so that topologies built at the same
  # time never share subnets.
  if [[ -n $idx ]]; then
    if [[ ! $idx =~ ^[0-9]+$ ]] || ((idx < 1 || idx > 250)) ||
      ! _lab_claim "$LAB_STATE_DIR/index/$idx" "$prefix"; then
      _lab_err "lab_topology: index '$idx' is invalid or in use"
      rm -f -- "$d.owner"
      return 1
    fi
  else
    local k
    idx=""
    for ((k = 1; k <= 250; k++)); do
      if _lab_claim "$LAB_STATE_DIR/index/$k" "$prefix"; then idx=$k; break; fi
    done
    [[ -n $idx ]] || { _lab_err "lab_topology: no free index"; rm -f -- "$d.owner"; return 1; }
  fi
  if ! _lab_topology_build "$prefix" "$n" "$dr" "$idx" "$d"; then
    _lab_err "lab_topology: building '$prefix' failed"
    lab_topology_del "$prefix" || true
    rm -f -- "$LAB_STATE_DIR/index/$idx"
    return 1
  fi
  lab_topology_load "$prefix"
}

_lab_topology_build() { # PREFIX N DR INDEX DIR
  local prefix=$1 n=$2 dr=$3 k=$4 d=$5 i
  local dir=$prefix-dir cli=$prefix-cli
  local vip=10.$k.0.100 vip6=fd00:$k::100
  local -a rs_ns=() rs_ips=() rs_ips6=() rs_names=() dirs=()
  for ((i = 1; i <= n; i++)); do
    rs_ns+=("$prefix-rs$i")
    rs_ips+=("10.$k.1.$((10 + i))")
    rs_ips6+=("fd00:$k:1::$((10 + i))")
    rs_names+=("rs$i")
    dirs+=("$d/rs$i/www")
  done
  mkdir -p "${dirs[@]}" || return 1
  echo "$k" >"$d/index"

  # Namespaces and links, created straight into their namespaces (no names
  # in the lab's root namespace, so topologies never collide).
  {
    echo "netns add $dir"
    echo "netns add $cli"
    for ((i = 1; i <= n; i++)); do echo "netns add ${rs_ns[i - 1]}"; done
    echo "link add eth0 netns $cli type veth peer name cli0 netns $dir"
    for ((i = 1; i <= n; i++)); do
      echo "link add eth0 netns ${rs_ns[i - 1]} type veth peer name rs$i netns $dir"
    done
  } | ip -batch - || return 1

  # Director: client side cli0 (with the VIP), real-server side bridge br0.
  {
    echo "link set lo up"
    echo "link add br0 type bridge stp_state 0 forward_delay 0"
    for ((i = 1; i <= n; i++)); do echo "link set rs$i master br0 up"; done
    echo "link set br0 up"
    echo "link set cli0 up"
    echo "addr add 10.$k.0.1/24 dev cli0"
    echo "addr add $vip/24 dev cli0"
    echo "addr add fd00:$k::1/64 dev cli0 nodad"
    echo "addr add $vip6/64 dev cli0 nodad"
    echo "addr add 10.$k.1.1/24 dev br0"
    echo "addr add fd00:$k:1::1/64 dev br0 nodad"
  } | ip -n "$dir" -batch - || return 1
  # In DR the real servers answer from the VIP, which is also the director's
  # own address; it forwards those replies only with accept_local.
  lab_sysctl "$dir" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.br0.rp_filter=0 \
    net.ipv4.conf.br0.accept_local=1 || return 1

  # Client.
  {
    echo "link set lo up"
    echo "link set eth0 up"
    echo "addr add 10.$k.0.2/24 dev eth0"
    echo "addr add fd00:$k::2/64 dev eth0 nodad"
    echo "route add default via 10.$k.0.1"
    echo "route add default via fd00:$k::1"
  } | ip -n "$cli" -batch - || return 1

  # Real servers, then their responders (all started, then all waited for).
  local -a waits=() binds=()
  local http_hex tcp_hex
  _lab_hex_port http_hex "$LAB_HTTP_PORT"
  _lab_hex_port tcp_hex "$LAB_TCP_PORT"
  for ((i = 1; i <= n; i++)); do
    local ns=${rs_ns[i - 1]}
    printf 'rs%s\n' "$i" >"$d/rs$i/www/index.html"
    if ((dr)); then
      lab_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2 || return 1
    fi
    {
      echo "link set lo up"
      echo "link set eth0 up"
      echo "addr add ${rs_ips[i - 1]}/24 dev eth0"
      echo "addr add ${rs_ips6[i - 1]}/64 dev eth0 nodad"
      echo "route add default via 10.$k.1.1"
      echo "route add default via fd00:$k:1::1"
      if ((dr)); then
        echo "addr add $vip/32 dev lo"
        echo "addr add $vip6/128 dev lo nodad"
        # The fallback tunnel devices decapsulate IPVS tunnelling (-i).
        if [[ -d /sys/module/ipip ]]; then echo "link set tunl0 up"; fi
        if [[ -d /sys/module/ip6_tunnel ]]; then echo "link set ip6tnl0 up"; fi
      fi
    } | ip -n "$ns" -batch - || return 1
    binds=(127.0.0.1 ::1 "${rs_ips[i - 1]}" "${rs_ips6[i - 1]}")
    ((dr)) && binds+=("$vip" "$vip6")
    _lab_rs_spawn_httpd "$prefix" "$i"
    _lab_rs_spawn_responder "$prefix" "$i" "${binds[@]}"
    waits+=("$(<"$d/rs$i/httpd.pid"):$http_hex" "$(<"$d/rs$i/responder.pid"):$tcp_hex")
  done
  _lab_wait_listening 100 "${waits[@]}" ||
    { _lab_err "the responders did not start (see $d/rs*/*.log)"; return 1; }

  # The variables, for lab_topology_load (and for other processes).
  local mode=nat
  ((dr)) && mode=dr
  {
    printf 'export LAB_PREFIX=%q LAB_INDEX=%q LAB_MODE=%q LAB_RS_COUNT=%q\n' "$prefix" "$k" "$mode" "$n"
    printf 'export LAB_NS_DIR=%q LAB_NS_CLI=%q\n' "$dir" "$cli"
    printf 'export LAB_VIP=%q LAB_VIP6=%q\n' "$vip" "$vip6"
    printf 'export LAB_CLIENT_IP=%q LAB_CLIENT_IP6=%q\n' "10.$k.0.2" "fd00:$k::2"
    printf 'export LAB_DIR_IP=%q LAB_DIR_IP6=%q\n' "10.$k.0.1" "fd00:$k::1"
    printf 'export LAB_DIR_RS_IP=%q LAB_DIR_RS_IP6=%q\n' "10.$k.1.1" "fd00:$k:1::1"
    printf 'export LAB_DIR_IF_CLIENT=cli0 LAB_DIR_IF_RS=br0\n'
    printf 'export LAB_RS_IPS_LIST=%q LAB_RS_IPS6_LIST=%q LAB_NS_RS_LIST=%q\n' \
      "${rs_ips[*]}" "${rs_ips6[*]}" "${rs_ns[*]}"
    printf 'LAB_RS_IPS=(%s)\n' "${rs_ips[*]}"
    printf 'LAB_RS_IPS6=(%s)\n' "${rs_ips6[*]}"
    printf 'LAB_NS_RS=(%s)\n' "${rs_ns[*]}"
    printf 'LAB_RS_NAMES=(%s)\n' "${rs_names[*]}"
  } >"$d/env"
}
