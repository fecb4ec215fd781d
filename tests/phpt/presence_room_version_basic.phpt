--TEST--
presence_room_version() changes on every change, not on a refresh
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_version_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
var_dump(presence_room_version('r'));
presence_upsert('r', 'a', 1, ['s' => 1], 10);
$v1 = presence_room_version('r');
presence_upsert('r', 'a', 1, ['s' => 1], 10);
var_dump($v1 === presence_room_version('r'));
presence_upsert('r', 'b', 2, [], 30);
$v2 = presence_room_version('r'); var_dump($v2 !== $v1);
presence_upsert('r', 'b', 2, ['s' => 2], 30);
$v3 = presence_room_version('r'); var_dump($v3 !== $v2);
presence_debug_advance(10);
$v4 = presence_room_version('r'); var_dump($v4 !== $v3, count(presence_room('r')));
presence_remove('r', 'b');
var_dump(presence_room_version('r'));
?>
--EXPECT--
int(0)
bool(true)
bool(true)
bool(true)
bool(true)
int(1)
int(0)
