--TEST--
presence_clear() empties the current namespace only
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_clear_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('a', '1', 1); presence_upsert('b', '2', 2);
presence_set_namespace('other'); presence_upsert('a', '1', 1);
presence_set_namespace('');
var_dump(presence_clear(), presence_rooms());
presence_set_namespace('other');
var_dump(count(presence_rooms()));
?>
--EXPECT--
int(2)
array(0) {
}
int(1)
