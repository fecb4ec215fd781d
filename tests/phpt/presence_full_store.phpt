--TEST--
A full store reclaims expired entries first, then refuses without losing anything
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_full_store
presence.debug_clock=1
; One site alone on the segment may use all of it.
presence.namespace_share=100
presence.capacity=16
presence.shards=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$cap = presence_stats()['capacity'];
var_dump($cap);
for ($i = 0; $i < $cap; $i++) { presence_upsert('r', "c$i", $i, ['i' => $i], $i < 2 ? 5 : 100); }
try { presence_upsert('r', 'one-too-many', 1); } catch (PresenceException $e) { echo 'refused: ', $e->getMessage(), "\n"; }
var_dump(count(presence_room('r')), presence_stats()['full_refusals']);
var_dump(presence_upsert('r', 'c5', 5, ['i' => 'updated']));
presence_debug_advance(5);
var_dump(presence_upsert('r', 'late-1', 1), presence_upsert('r', 'late-2', 2));
try { presence_upsert('r', 'late-3', 3); } catch (PresenceException $e) { echo "refused again\n"; }
$rows = presence_room('r');
var_dump(count($rows), presence_get('r', 'c5')['data']['i'], presence_get('r', 'c15')['data']['i']);
?>
--EXPECT--
int(16)
refused: presence: the shards this room may use are full: the segment /dev/shm/presence-phpt-presence_full_store holds 16 entries in 1 shard (16 each). Raise presence.capacity, then recreate the segment, which keeps its size across PHP restarts (README, "Resizing the segment")
int(16)
int(1)
bool(true)
bool(true)
bool(true)
refused again
int(16)
string(7) "updated"
int(15)
