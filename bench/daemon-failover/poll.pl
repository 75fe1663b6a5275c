#!/usr/bin/perl
# bench/daemon-failover/poll.pl - polls the director's IPVS table for bench/daemon-failover.sh
# (perl-base only). Run it in the director's namespace:
#   poll.pl VIP PORT PERIOD_MS OUTFILE
# Every PERIOD_MS milliseconds (fixed schedule) it reads /proc/net/ip_vs (the same kernel table
# `ipvsadm -Ln` prints, without a process per poll) and, when the destinations of VIP:PORT (TCP)
# or their weights changed, logs
#   PREVIOUS_POLL_EPOCH THIS_POLL_EPOCH DEST=WEIGHT ...     (sorted; "-" when the service is absent,
#                                                            "none" when it has no destinations)
# so a change happened in (PREVIOUS, THIS]. On SIGTERM it logs "# polls=N max_gap_ms=G" and ends.
use strict;
use warnings;
use Time::HiRes qw(time sleep);

my ($vip, $port, $period_ms, $out) = @ARGV;
die "usage: poll.pl VIP PORT PERIOD_MS OUTFILE\n" unless defined $out;
my $key = sprintf('%02X%02X%02X%02X:%04X', (split /\./, $vip), $port);
my $period = $period_ms / 1000;
open(my $log, '>', $out) or die "$out: $!\n";
select((select($log), $| = 1)[0]);
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };

sub ip { my $h = shift; return join '.', map { hex } $h =~ /(..)(..)(..)(..)/; }

sub state {
  open(my $f, '<', '/proc/net/ip_vs') or return '?';
  my ($in, $seen, @d) = (0, 0);
  while (my $line = <$f>) {
    if ($line =~ /^(TCP|UDP|SCTP|FWM)\s+(\S+)/) { $in = ($1 eq 'TCP' && $2 eq $key); $seen ||= $in; next; }
    if ($in && $line =~ /^\s+->\s+([0-9A-F]{8}):([0-9A-F]{4})\s+\S+\s+(\d+)/) {
      push @d, ip($1) . ':' . hex($2) . "=$3";
    }
  }
  close($f);
  return '-' unless $seen;
  return @d ? join(' ', sort @d) : 'none';
}

my ($last, $prev, $polls, $gap) = ('', 0, 0, 0);
my $next = time;
while (!$stop) {
  my $now = time;
  my $s = state();
  $polls++;
  $gap = $now - $prev if $prev && $now - $prev > $gap;
  if ($s ne $last) {
    printf $log "%.6f %.6f %s\n", $prev || $now, $now, $s;
    $last = $s;
  }
  $prev = $now;
  $next += $period;
  my $wait = $next - time;
  if ($wait > 0) { sleep($wait); }
  else { $next = time; }
}
printf $log "# polls=%d max_gap_ms=%.0f\n", $polls, $gap * 1000;
close($log);
