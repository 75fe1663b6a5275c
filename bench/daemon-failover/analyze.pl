#!/usr/bin/perl
# bench/daemon-failover/analyze.pl - the figures of one run of bench/daemon-failover.sh.
#   analyze.pl RUNDIR DEAD_RS SORRY FULL_WEIGHT REAL1,REAL2,REAL3
# RUNDIR holds events.txt ("EPOCH NAME" lines written by the driver), poll.txt (poll.pl) and
# client.txt (client.pl). Addresses are "IP:PORT" as poll.pl writes them. Prints key=value lines
# (times in seconds, from the event named in the key's description in bench/daemon-failover.sh).
use strict;
use warnings;

my ($dir, $dead, $sorry, $full, $reals) = @ARGV;
die "usage: analyze.pl RUNDIR DEAD_RS SORRY FULL_WEIGHT REAL,REAL,...\n" unless defined $reals;
my @reals = split /,/, $reals;
my %name_of;    # "10.10.1.11:80" -> "rs1" (the body the server answers)
for my $i (0 .. $#reals) { $name_of{ $reals[$i] } = 'rs' . ($i + 1); }
my $sorry_name = 'rs' . (@reals + 1);

my %ev;
open(my $e, '<', "$dir/events.txt") or die "$dir/events.txt: $!\n";
while (<$e>) { my ($t, $n) = split; $ev{$n} = $t; }
close($e);

my @polls;      # [prev, this, {dest => weight}]
my ($npolls, $maxgap) = ('', '');
open(my $p, '<', "$dir/poll.txt") or die "$dir/poll.txt: $!\n";
while (<$p>) {
  if (/^# polls=(\d+) max_gap_ms=(\d+)/) { ($npolls, $maxgap) = ($1, $2); next; }
  my ($prev, $this, @d) = split;
  my %w;
  for (@d) { next if $_ eq '-' || $_ eq 'none' || $_ eq '?'; my ($k, $v) = split /=/; $w{$k} = $v; }
  push @polls, [ $prev, $this, \%w ];
}
close($p);

my @req;        # [start, ms, ok, what]
open(my $c, '<', "$dir/client.txt") or die "$dir/client.txt: $!\n";
while (<$c>) { my ($t, $ms, $r, $w) = split; push @req, [ $t, $ms, $r eq 'ok', $w // '' ]; }
close($c);

# The daemon's output, time-stamped on arrival: [epoch, line].
my @dlog;
if (open(my $l, '<', "$dir/daemon.log")) {
  while (<$l>) { chomp; my ($t, $rest) = split / /, $_, 2; push @dlog, [ $t, $rest // '' ] if $t =~ /^\d+\.\d+$/; }
  close($l);
}
# verdict(T, IP, up|down): the first line after T in which the daemon says IP's check failed
# (keepalived: "HTTP_CHECK on service [IP]:tcp:80 failed"; ours: "IP:80 of ... is down") or passed
# ("Remote Web server [IP]:tcp:80 succeed on service"; "IP:80 of ... is up").
sub verdict {
  my ($t, $ip, $way) = @_;
  my $re = $way eq 'down'
    ? qr/HTTP_CHECK on service \[\Q$ip\E\]:tcp:\d+ failed|\Q$ip\E:\d+ of \S+ is down/
    : qr/Remote Web server \[\Q$ip\E\]:tcp:\d+ succeed on service|\Q$ip\E:\d+ of \S+ is up/;
  for (@dlog) { return $_->[0] - $t if $_->[0] >= $t && $_->[1] =~ $re; }
  return undef;
}
(my $dead_ip = $dead) =~ s/:\d+$//;

my %out;
sub put { my ($k, $v) = @_; $out{$k} = $v; }
sub f3 { my $v = shift; return defined $v ? sprintf('%.3f', $v) : 'n/a'; }

# when(T, COND): the first poll at or after T whose table satisfies COND, as (this - T, prev - T):
# the change happened between the two. If the table already satisfied it at T: (0, 0).
sub when {
  my ($t, $cond) = @_;
  my $i = -1;    # the last poll at or before T: the table at T
  $i++ while $i + 1 < @polls && $polls[ $i + 1 ][1] <= $t;
  return (0, 0) if $i >= 0 && $cond->($polls[$i][2]);
  for my $j ($i + 1 .. $#polls) {
    my $r = $polls[$j];
    return ($r->[1] - $t, ($r->[0] > $t ? $r->[0] : $t) - $t) if $cond->($r->[2]);
  }
  return (undef, undef);
}

sub out_of { my $d = shift; return sub { my $v = $_[0]{$d}; !defined $v || $v == 0 } }
sub absent { my $d = shift; return sub { !exists $_[0]{$d} } }
sub serving { my $d = shift; return sub { my $v = $_[0]{$d}; defined $v && $v > 0 } }
sub at_full { my $d = shift; return sub { my $v = $_[0]{$d}; defined $v && $v == $full } }

# reqs(FROM, TO): the requests that ENDED in [FROM, TO): a request in flight when a server is
# stopped fails because of the stop, so it belongs to the phase the stop begins.
sub done_at { my $r = shift; return $r->[0] + $r->[1] / 1000; }
sub reqs { my ($from, $to) = @_; return grep { done_at($_) >= $from && (!defined $to || done_at($_) < $to) } @req; }
sub fails { return grep { !$_->[2] } @_; }
sub kinds {
  my %k;
  $k{ $_->[3] }++ for fails(@_);
  return join(',', map { "$_:$k{$_}" } sort keys %k) || '-';
}
sub first_ok_from { my ($name, $from) = @_; for (@req) { return $_->[0] if $_->[0] >= $from && $_->[2] && $_->[3] eq $name; } return undef; }

for my $k (qw(ready traffic a_stop b_start b_listening c_stop d_start d_listening end)) {
  die "$dir/events.txt has no '$k'\n" unless defined $ev{$k};
}
my $d0 = $ev{d_start};

put(polls => $npolls);
put(poll_max_gap_ms => $maxgap);
put(requests => scalar @req);
put(requests_per_s => sprintf('%.1f', scalar(reqs($ev{traffic}, $ev{end})) / ($ev{end} - $ev{traffic})));
put(failed_total => scalar fails(@req));
put(baseline_requests => scalar reqs($ev{traffic}, $ev{a_stop}));
put(baseline_failed => scalar fails(reqs($ev{traffic}, $ev{a_stop})));

# (a) the dead server leaves: from the moment its HTTP server was stopped (a_stop).
{
  my $a0 = $ev{a_stop};
  my @w = reqs($a0, $ev{b_start});
  my ($det, $lo) = when($a0, out_of($dead));
  my ($gone) = when($a0, absent($dead));
  my $at = defined $det ? $a0 + $det : undef;
  my @f = fails(@w);
  my @before = defined $at ? grep { $_->[0] < $at } @f : @f;
  my @after = defined $at ? grep { $_->[0] >= $at } @f : ();
  put(a_detect => f3($det));
  my $v = verdict($a0, $dead_ip, 'down');
  put(a_verdict => f3($v));
  put(a_verdict_to_table => defined $v && defined $det ? f3($det - $v) : 'n/a');
  put(a_detect_lo => f3($lo));
  put(a_deleted => f3($gone));
  put(a_requests => scalar @w);
  put(a_failed => scalar @f);
  put(a_failed_before_detect => scalar @before);
  put(a_failed_after_detect => scalar @after);
  # The dead server's port is closed, so a request IPVS still sends it is refused (RST from it):
  # after detection, refused = reached the dead server.
  put(a_dead_after_detect => scalar(grep { $_->[3] eq 'refused' } @after));
  put(a_fail_kinds => kinds(@w));
  put(a_last_failure => @f ? f3($f[-1][0] - $a0) : 'n/a');
  put(a_stop_took => f3($ev{a_stopped} - $a0)) if defined $ev{a_stopped};
}

# (b) it returns: from the moment its HTTP server is started again (b_start: the exec of httpd).
{
  my $b0 = $ev{b_start};
  my @w = reqs($ev{b_start}, $ev{c_stop});
  my ($in) = when($b0, serving($dead));
  my ($fullt) = when($b0, at_full($dead));
  my $first_weight = 'n/a';
  if (defined $in) { for (@polls) { if (abs($_->[1] - ($b0 + $in)) < 1e-6) { $first_weight = $_->[2]{$dead}; last; } } }
  my $served = first_ok_from($name_of{$dead}, $ev{b_start});
  put(b_back => f3($in));
  my $v = verdict($b0, $dead_ip, 'up');
  put(b_verdict => f3($v));
  put(b_verdict_to_table => defined $v && defined $in ? f3($in - $v) : 'n/a');
  put(b_first_weight => $first_weight // 'n/a');
  put(b_full_weight => f3($fullt));
  put(b_first_served => defined $served ? f3($served - $b0) : 'n/a');
  put(b_requests => scalar @w);
  put(b_failed => scalar fails(@w));
  put(b_fail_kinds => kinds(@w));
  put(b_listen_lag => defined $ev{b_start_listening_1} ? f3($ev{b_start_listening_1} - $b0) : 'n/a');
}

# (c) all three stop: from the moment their HTTP servers were stopped (c_stop).
{
  my $c0 = $ev{c_stop};
  my @w = reqs($c0, $ev{d_start});
  my $alone = sub { my $t = shift; my $s = $t->{$sorry}; defined $s && $s > 0 && !grep { ($t->{$_} // 0) > 0 } @reals };
  my ($sorryt) = when($c0, $alone);
  my $served = first_ok_from($sorry_name, $c0);
  my @f = fails(@w);
  my $at = defined $sorryt ? $c0 + $sorryt : undef;
  my @after = defined $at ? grep { $_->[0] >= $at } @f : ();
  put(c_sorry_in_table => f3($sorryt));
  put(c_sorry_serves => defined $served ? f3($served - $c0) : 'n/a');
  put(c_requests => scalar @w);
  put(c_failed => scalar @f);
  put(c_failed_after_sorry => scalar @after);
  put(c_fail_kinds => kinds(@w));
  put(c_last_failure => @f ? f3($f[-1][0] - $c0) : 'n/a');
}

# (d) all three return: from the moment their HTTP servers are started again (d_start).
{
  my @w = reqs($ev{d_start}, undef);
  my ($wd) = when($d0, out_of($sorry));
  my ($real) = when($d0, sub { my $t = shift; grep { ($t->{$_} // 0) > 0 } @reals });
  my ($all) = when($d0, sub { my $t = shift; !grep { ($t->{$_} // 0) != $full } @reals });
  my $first;
  for (@req) { if ($_->[0] >= $ev{d_start} && $_->[2] && $_->[3] ne $sorry_name) { $first = $_->[0]; last; } }
  my $sorry_after = 0;
  if (defined $wd) { $sorry_after = grep { $_->[0] >= $d0 + $wd && $_->[2] && $_->[3] eq $sorry_name } @w; }
  put(d_sorry_withdrawn => f3($wd));
  put(d_real_in_table => f3($real));
  put(d_all_full => f3($all));
  put(d_real_serves => defined $first ? f3($first - $d0) : 'n/a');
  put(d_requests => scalar @w);
  put(d_failed => scalar fails(@w));
  put(d_fail_kinds => kinds(@w));
  put(d_sorry_after_withdrawn => $sorry_after);
  my @lags = grep { defined } map { $ev{"d_start_listening_$_"} } 1 .. @reals;
  put(d_listen_lag => @lags == @reals ? f3((sort { $b <=> $a } @lags)[0] - $d0) : 'n/a');
}

print "$_=$out{$_}\n" for sort keys %out;
