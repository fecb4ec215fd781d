--TEST--
Settings that differ from the segment's geometry are reported in presence_stats() and in the full-store message, with the way to apply them
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_geometry_mismatch
presence.debug_clock=1
presence.capacity=64
presence.shards=1
presence.namespace_share=100
--FILE--
<?php
require __DIR__ . '/fresh.inc';
require __DIR__ . '/subprocess.inc';
// Another process created the segment first, with a smaller capacity: it keeps that size.
echo presence_test_php('presence_upsert("r", "c0", 0); echo "created\n";', ['presence.capacity' => '32']);
$s = presence_stats();
var_dump($s['capacity'], $s['configured'], $s['geometry_mismatch']);
for ($i = 1; $i < 32; $i++) { presence_upsert('r', "c$i", $i); }
try { presence_upsert('r', 'one-too-many', 1); } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }
var_dump(count(presence_room('r')));
?>
--EXPECT--
created
int(32)
array(3) {
  ["capacity"]=>
  int(64)
  ["bytes_capacity"]=>
  int(33554556)
  ["shards"]=>
  int(1)
}
bool(true)
presence: the shards this room may use are full: the segment /dev/shm/presence-phpt-presence_geometry_mismatch was created for 32 entries in 1 shard (32 each), but the settings (presence.capacity, presence.shards) ask for 64 in 1 shard, and a segment keeps its size until it is recreated: stop php-fpm, delete /dev/shm/presence-phpt-presence_geometry_mismatch and start php-fpm again (README, "Resizing the segment")
int(32)
