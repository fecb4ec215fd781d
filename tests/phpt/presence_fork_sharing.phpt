--TEST--
Entries are shared across pcntl_fork in both directions
--EXTENSIONS--
presence
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip pcntl not available'); ?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_fork_sharing
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'parent', 1, ['from' => 'parent']);
$pid = pcntl_fork();
if ($pid === 0) {
    $seen = array_column(presence_room('r'), 'client_id');
    presence_upsert('r', 'child', 2, ['from' => 'child', 'saw' => $seen]);
    exit(0);
}
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
$child = presence_get('r', 'child');
var_dump($child['data']['saw'], array_column(presence_room('r'), 'client_id'));
?>
--EXPECT--
int(0)
array(1) {
  [0]=>
  string(6) "parent"
}
array(2) {
  [0]=>
  string(5) "child"
  [1]=>
  string(6) "parent"
}
