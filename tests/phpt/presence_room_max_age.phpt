--TEST--
presence_room() with $max_age keeps only recent writes (presence-api $timeout)
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_max_age
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'old', 1, [], 300);
presence_debug_advance(40);
presence_upsert('r', 'new', 2, [], 300);
presence_debug_advance(10);
var_dump(array_column(presence_room('r', 30), 'client_id'));
// The wall clock may tick while the test runs: the ages are 10 and 50 seconds give or take one.
var_dump(array_column(presence_room('r', 45), 'client_id'));
var_dump(array_column(presence_room('r', 100), 'client_id'));
var_dump(count(presence_room('r', 0)));
?>
--EXPECT--
array(1) {
  [0]=>
  string(3) "new"
}
array(1) {
  [0]=>
  string(3) "new"
}
array(2) {
  [0]=>
  string(3) "new"
  [1]=>
  string(3) "old"
}
int(0)
