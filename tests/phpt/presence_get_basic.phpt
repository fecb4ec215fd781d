--TEST--
presence_get() returns one live entry or null
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_get_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
var_dump(presence_get('r', 'x'));
presence_upsert('r', 'x', 7, ['a' => true], 10);
var_dump(presence_get('r', 'x')['data']);
presence_debug_advance(10);
var_dump(presence_get('r', 'x'));
?>
--EXPECT--
NULL
array(1) {
  ["a"]=>
  bool(true)
}
NULL
