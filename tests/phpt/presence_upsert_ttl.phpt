--TEST--
presence_upsert() honours $ttl and presence.default_ttl
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_upsert_ttl
presence.debug_clock=1
presence.default_ttl=90
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'a', 1, [], 5);
presence_upsert('r', 'b', 1);
$e = presence_get('r', 'a'); var_dump($e['expires'] - $e['updated']);
$e = presence_get('r', 'b'); var_dump($e['expires'] - $e['updated']);
ini_set('presence.default_ttl', '150');
presence_upsert('r', 'c', 1);
$e = presence_get('r', 'c'); var_dump($e['expires'] - $e['updated']);
?>
--EXPECT--
int(5)
int(90)
int(150)
