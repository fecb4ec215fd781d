--TEST--
presence_remove() removes one entry and says whether it did
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_remove_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'a', 1);
presence_upsert('r', 'b', 2);
var_dump(presence_remove('r', 'a'), presence_remove('r', 'a'), presence_remove('other', 'b'));
var_dump(array_column(presence_room('r'), 'client_id'));
?>
--EXPECT--
bool(true)
bool(false)
bool(false)
array(1) {
  [0]=>
  string(1) "b"
}
