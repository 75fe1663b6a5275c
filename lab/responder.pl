#!/usr/bin/perl
# lab/responder.pl - tiny TCP and UDP "name" responder for lab real servers.
# Uses only perl-base (always present on Debian), no extra packages.
#
# usage: responder.pl NAME TCP_PORT UDP_PORT [UDP_BIND_ADDR...]
#
# TCP (listens on 0.0.0.0 and ::): on connect, sends "NAME\n", then echoes
#   back whatever it receives until the client closes. Many clients at once.
# UDP: answers every datagram with "NAME\n". Each UDP socket is bound to one
#   address, so a reply always leaves from the address the request was sent
#   to (needed for direct routing, where the VIP sits on lo). Without bind
#   addresses it binds 0.0.0.0 and ::.
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;

$SIG{PIPE} = 'IGNORE';
$| = 1;

my ($name, $tcp_port, $udp_port, @udp_binds) = @ARGV;
die "usage: $0 NAME TCP_PORT UDP_PORT [UDP_BIND_ADDR...]\n"
  unless defined $udp_port;
@udp_binds = ('0.0.0.0', '::') unless @udp_binds;

my $sel = IO::Select->new;
my (%is_listener, %is_udp);

sub open_socket {
  my (%args) = @_;
  my $s = IO::Socket::IP->new(%args, ReuseAddr => 1, V6Only => 1);
  if (!$s) {
    my $msg = "responder $name: cannot bind $args{Proto} [$args{LocalHost}]:$args{LocalPort}: $@\n";
    # IPv6 is optional (module not loaded); IPv4 is not.
    die $msg unless $args{LocalHost} =~ /:/;
    warn $msg;
    return;
  }
  $sel->add($s);
  return $s;
}

for my $addr ('0.0.0.0', '::') {
  my $s = open_socket(LocalHost => $addr, LocalPort => $tcp_port, Proto => 'tcp', Listen => 128)
    or next;
  $is_listener{$s} = 1;
}
for my $addr (@udp_binds) {
  my $s = open_socket(LocalHost => $addr, LocalPort => $udp_port, Proto => 'udp') or next;
  $is_udp{$s} = 1;
}
print "ready\n";

while (1) {
  for my $s ($sel->can_read) {
    if ($is_listener{$s}) {
      my $c = $s->accept or next;
      syswrite($c, "$name\n");
      $sel->add($c);
    } elsif ($is_udp{$s}) {
      my $buf;
      my $peer = recv($s, $buf, 65535, 0);
      next unless defined $peer;
      send($s, "$name\n", 0, $peer);
    } else {
      my $buf;
      my $n = sysread($s, $buf, 65536);
      if (!$n) {
        $sel->remove($s);
        close($s);
      } else {
        syswrite($s, $buf);
      }
    }
  }
}
