--TEST--
Data memory running out names presence.data_memory and keeps existing entries
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_full_data
presence.debug_clock=1
; One site alone on the segment may use all of it.
presence.namespace_share=100
presence.data_memory=64K
presence.shards=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$big = ['blob' => str_repeat('x', 10000)];
$n = 0;
try { for (;; $n++) { presence_upsert('r', "c$n", 1, $big); } }
catch (PresenceException $e) { echo $e->getMessage(), "\n"; }
var_dump($n > 0, count(presence_room('r')) === $n);
var_dump(presence_get('r', 'c0')['data'] === $big);
?>
--EXPECT--
presence: no room is left for entry data in the shards this room may use: the segment /dev/shm/presence-phpt-presence_full_data holds 3.9 MiB of entry data in 1 shard (3.9 MiB each). Raise presence.data_memory, then recreate the segment, which keeps its size across PHP restarts (README, "Resizing the segment")
bool(true)
bool(true)
bool(true)
