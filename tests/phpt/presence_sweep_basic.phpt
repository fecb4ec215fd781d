--TEST--
presence_sweep() reclaims expired entries and counts them in stats
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_sweep_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
for ($i = 0; $i < 10; $i++) { presence_upsert("room-$i", 'c', $i, [], $i < 7 ? 5 : 100); }
var_dump(presence_sweep());
presence_debug_advance(5);
var_dump(presence_sweep(), presence_sweep());
$s = presence_stats();
var_dump($s['entries'], $s['swept']);
?>
--EXPECT--
int(0)
int(7)
int(0)
int(3)
int(7)
