--TEST--
presence_stats() reports counts, capacity, path and recoveries
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_stats_basic
presence.debug_clock=1
presence.capacity=1024
presence.shards=4
presence.data_memory=1M
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('a', '1', 1, ['x' => str_repeat('y', 300)]);
presence_upsert('b', '2', 2);
presence_upsert('b', '3', 3);
presence_remove('b', '3');
$s = presence_stats();
foreach (['entries', 'capacity', 'rooms', 'shards', 'lock_recoveries', 'full_refusals', 'share_refusals', 'tombstones', 'namespace_share', 'layout_version'] as $k) { echo "$k=", $s[$k], "\n"; }
var_dump($s['bytes_used'] >= 300, $s['bytes_capacity'] >= 1024 * 1024, $s['path'] === ini_get('presence.shm_path'));
var_dump($s['geometry_mismatch'], $s['configured'] === ['capacity' => $s['capacity'], 'bytes_capacity' => $s['bytes_capacity'], 'shards' => $s['shards']]);
?>
--EXPECT--
entries=2
capacity=1024
rooms=2
shards=4
lock_recoveries=0
full_refusals=0
share_refusals=0
tombstones=1
namespace_share=50
layout_version=2
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
