--TEST--
presence_room() returns entries newest first with their fields
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('postType/post:1', 'editor-1', 1, ['n' => 1]);
presence_debug_advance(2);
presence_upsert('postType/post:1', 'editor-2', 2, ['n' => 2]);
presence_upsert('postType/post:2', 'editor-3', 3);
$rows = presence_room('postType/post:1');
var_dump(count($rows), array_column($rows, 'client_id'), array_keys($rows[0]));
var_dump($rows[0]['room'], $rows[0]['updated'] === presence_time(), $rows[1]['updated'] === presence_time() - 2);
var_dump(presence_room('nobody-here'));
?>
--EXPECT--
int(2)
array(2) {
  [0]=>
  string(8) "editor-2"
  [1]=>
  string(8) "editor-1"
}
array(6) {
  [0]=>
  string(4) "room"
  [1]=>
  string(9) "client_id"
  [2]=>
  string(7) "user_id"
  [3]=>
  string(4) "data"
  [4]=>
  string(7) "updated"
  [5]=>
  string(7) "expires"
}
string(15) "postType/post:1"
bool(true)
bool(true)
array(0) {
}
