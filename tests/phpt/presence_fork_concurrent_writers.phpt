--TEST--
Concurrent writers in forked processes lose no update
--EXTENSIONS--
presence
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip pcntl not available'); ?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_fork_concurrent_writers
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$pids = [];
for ($c = 0; $c < 4; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        for ($i = 0; $i < 250; $i++) { presence_upsert('shared', "c$c-$i", $c, ['i' => $i]); presence_upsert("own-$c", "n$i", $c); }
        exit(0);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) { pcntl_waitpid($pid, $st); if (pcntl_wexitstatus($st) !== 0) echo "child failed\n"; }
var_dump(count(presence_room('shared')));
foreach (range(0, 3) as $c) { echo count(presence_room("own-$c")), ' ', count(presence_user_entries($c)), "\n"; }
?>
--EXPECT--
int(1000)
250 500
250 500
250 500
250 500
