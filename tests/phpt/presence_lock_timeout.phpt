--TEST--
A stopped lock holder makes calls on its shard fail after presence.lock_timeout_ms; other shards work, and all work once it resumes
--EXTENSIONS--
presence
--SKIPIF--
<?php if (!function_exists('pcntl_fork') || !function_exists('posix_kill')) die('skip pcntl/posix not available'); ?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_lock_timeout
presence.debug_clock=1
presence.lock_timeout_ms=200
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'before', 1);
$pid = pcntl_fork();
if ($pid === 0) { presence_debug_stall('r', 1000); exit(0); }
// The child holds the lock once a call on its shard gives up.
$held = false;
for ($i = 0; $i < 200 && !$held; $i++) {
    try { presence_room_version('r'); usleep(5000); } catch (PresenceException $e) { $held = true; }
}
var_dump($held);
posix_kill($pid, SIGSTOP);
$t = microtime(true);
try { presence_upsert('r', 'blocked', 2); echo "not refused\n"; } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }
$waited = microtime(true) - $t;
var_dump($waited >= 0.19 && $waited < 1.0);
$others = 0;
for ($i = 0; $i < 8; $i++) {
    try { presence_upsert("other-$i", 'c', 3); $others++; } catch (PresenceException $e) {}
}
var_dump($others > 0);
posix_kill($pid, SIGCONT);
pcntl_waitpid($pid, $st);
var_dump(pcntl_wexitstatus($st));
var_dump(presence_upsert('r', 'after', 2), array_column(presence_room('r'), 'client_id'));
?>
--EXPECTF--
bool(true)
presence: gave up after 200 ms (presence.lock_timeout_ms) waiting for shard %d's lock in /dev/shm/presence-phpt-presence_lock_timeout: another process holds it and is stopped or stuck (SIGSTOP, a debugger, a frozen cgroup); this shard's rooms are unavailable until it resumes or exits (`fuser -v /dev/shm/presence-phpt-presence_lock_timeout` lists the processes using the segment)
bool(true)
bool(true)
int(0)
bool(true)
array(2) {
  [0]=>
  string(5) "after"
  [1]=>
  string(6) "before"
}
