--TEST--
Writers killed at random moments leave a readable, consistent store
--EXTENSIONS--
presence
--SKIPIF--
<?php if (!function_exists('pcntl_fork') || !function_exists('posix_kill')) die('skip pcntl/posix not available'); ?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_kill_random
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
mt_srand(42);
for ($round = 0; $round < 10; $round++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        for ($i = 0; ; $i++) { presence_upsert('r', 'c' . ($i % 40), $round, ['n' => $i, 'check' => "$round:$i"]); presence_remove('r', 'c' . (($i + 7) % 40)); }
    }
    usleep(mt_rand(1000, 30000));
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $st);
    foreach (presence_room('r') as $e) {
        if ($e['data']['check'] !== "{$e['user_id']}:{$e['data']['n']}") { echo "torn entry in round $round\n"; }
    }
}
var_dump(presence_upsert('r', 'final', 1), presence_get('r', 'final') !== null);
?>
--EXPECT--
bool(true)
bool(true)
