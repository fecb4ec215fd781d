--TEST--
A process killed while holding a shard lock neither wedges nor corrupts the store
--EXTENSIONS--
presence
--SKIPIF--
<?php if (!function_exists('pcntl_fork') || !function_exists('posix_kill')) die('skip pcntl/posix not available'); ?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_kill_while_locked
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'before', 1, ['kept' => true]);
$pid = pcntl_fork();
if ($pid === 0) { presence_debug_stall('r', 10000); exit(0); }
usleep(300000);
posix_kill($pid, SIGKILL);
pcntl_waitpid($pid, $st);
var_dump(pcntl_wifsignaled($st));
$t = microtime(true);
var_dump(presence_upsert('r', 'after', 2));
var_dump(microtime(true) - $t < 5);
var_dump(array_column(presence_room('r'), 'client_id'), presence_get('r', 'before')['data']);
var_dump(presence_stats()['lock_recoveries']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
array(2) {
  [0]=>
  string(5) "after"
  [1]=>
  string(6) "before"
}
array(1) {
  ["kept"]=>
  bool(true)
}
int(1)
