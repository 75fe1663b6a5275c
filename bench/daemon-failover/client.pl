#!/usr/bin/perl
# bench/daemon-failover/client.pl - the steady traffic client of bench/daemon-failover.sh (perl-base
# only). Run it in the client namespace:
#   client.pl HOST PORT PERIOD_MS TIMEOUT_S OUTFILE
# Every PERIOD_MS milliseconds (a fixed schedule; a late request is not followed by a burst) it
# opens a NEW TCP connection to HOST:PORT (so IPVS schedules every request), sends
# "GET / HTTP/1.0", reads the whole reply and logs one line:
#   START_EPOCH DURATION_MS ok SERVER        the status was 2xx; SERVER = the body's first line
#   START_EPOCH DURATION_MS fail WHY          refused | timeout | reset | unreachable | empty |
#                                             status-NNN | bad-reply | error-ERRNO
# One TIMEOUT_S bounds the whole request (connect, send and reply). SIGTERM ends it after the
# request in flight.
use strict;
use warnings;
use Socket qw(AF_INET SOCK_STREAM IPPROTO_TCP SOL_SOCKET SO_ERROR inet_aton pack_sockaddr_in);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use Errno qw(EINPROGRESS EINTR EAGAIN ECONNREFUSED ECONNRESET ETIMEDOUT EHOSTUNREACH ENETUNREACH EPIPE);
use Time::HiRes qw(time sleep);

my ($host, $port, $period_ms, $timeout, $out) = @ARGV;
die "usage: client.pl HOST PORT PERIOD_MS TIMEOUT_S OUTFILE\n" unless defined $out;
my $peer = pack_sockaddr_in($port, inet_aton($host) // die "bad host $host\n");
my $period = $period_ms / 1000;
my $request = "GET / HTTP/1.0\r\nHost: $host\r\nConnection: close\r\n\r\n";

open(my $log, '>', $out) or die "$out: $!\n";
select((select($log), $| = 1)[0]);
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };
$SIG{PIPE} = 'IGNORE';

sub why {
  my ($errno) = @_;
  return 'refused' if $errno == ECONNREFUSED;
  return 'reset' if $errno == ECONNRESET || $errno == EPIPE;
  return 'timeout' if $errno == ETIMEDOUT;
  return 'unreachable' if $errno == EHOSTUNREACH || $errno == ENETUNREACH;
  return 'error-' . ($errno + 0);
}

# wait_for(FD, WRITE, DEADLINE): 1 when ready, 0 at the deadline.
sub wait_for {
  my ($fh, $write, $deadline) = @_;
  while (1) {
    my $left = $deadline - time;
    return 0 if $left <= 0;
    my $bits = '';
    vec($bits, fileno($fh), 1) = 1;
    my ($r, $w) = $write ? (undef, $bits) : ($bits, undef);
    my $n = select($r, $w, undef, $left);
    return 1 if $n > 0;
    return 0 if $n == 0;
    next if $! == EINTR;
    return 1;
  }
}

sub one {
  my $deadline = time + $timeout;
  socket(my $s, AF_INET, SOCK_STREAM, IPPROTO_TCP) or return "error-socket";
  my $flags = fcntl($s, F_GETFL, 0);
  fcntl($s, F_SETFL, $flags | O_NONBLOCK);
  if (!connect($s, $peer)) {
    return why($!) unless $! == EINPROGRESS;
    return 'timeout' unless wait_for($s, 1, $deadline);
    my $err = unpack('i', getsockopt($s, SOL_SOCKET, SO_ERROR));
    return why($err) if $err;
  }
  my $sent = 0;
  while ($sent < length $request) {
    return 'timeout' unless wait_for($s, 1, $deadline);
    my $n = syswrite($s, $request, length($request) - $sent, $sent);
    if (!defined $n) { next if $! == EAGAIN || $! == EINTR; return why($!); }
    $sent += $n;
  }
  my $reply = '';
  while (1) {
    return 'timeout' unless wait_for($s, 0, $deadline);
    my $n = sysread($s, $reply, 4096, length $reply);
    if (!defined $n) { next if $! == EAGAIN || $! == EINTR; return why($!); }
    last if $n == 0;
  }
  close($s);
  return 'empty' if $reply eq '';
  return 'bad-reply' unless $reply =~ m{\AHTTP/1\.\d (\d{3})};
  my $status = $1;
  return "status-$status" unless $status =~ /^2/;
  my $at = index($reply, "\r\n\r\n");
  return 'bad-reply' if $at < 0;
  my ($server) = substr($reply, $at + 4) =~ /\A([^\r\n]*)/;
  return [ $server eq '' ? '(empty-body)' : $server ];
}

my $next = time;
while (!$stop) {
  my $t0 = time;
  my $r = one();
  my $ms = (time - $t0) * 1000;
  if (ref $r) { printf $log "%.6f %.1f ok %s\n", $t0, $ms, $r->[0]; }
  else { printf $log "%.6f %.1f fail %s\n", $t0, $ms, $r; }
  $next += $period;
  my $wait = $next - time;
  if ($wait > 0) { sleep($wait); }
  else { $next = time; }    # late: no burst to catch up
}
close($log);
