--TEST--
presence_room_top() returns the first users' entries by newest write, an extra user's, and the user count
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_top_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
// The contract's example: u1 (2 tabs, newest at +0), u3 (+20), u2 (+50), an anonymous tab (+100).
presence_upsert('admin/online', 'u1-a', 1, ['screen' => 'a'], 600);
presence_upsert('admin/online', 'u1-b', 1, ['screen' => 'b'], 600);
presence_debug_advance(20);
presence_upsert('admin/online', 'u3', 3, null, 120);
presence_debug_advance(30);
presence_upsert('admin/online', 'u2', 2, ['screen' => 'dashboard', 'n' => 2], 600);
presence_debug_advance(50);
presence_upsert('admin/online', 'anon', 0, null, 600);
presence_upsert('chat', 'u9', 9, null, 600);

$top = presence_room_top('admin/online', 2);
var_dump(array_keys($top), array_column($top['entries'], 'client_id'), $top['users']);
// The same rows as presence_room()'s.
$room = array_column(presence_room('admin/online'), null, 'client_id');
var_dump($top['entries'][0] === $room['u2'], $top['entries'][1] === $room['u3']);
$top = presence_room_top('admin/online', 1, 1);
var_dump(array_column($top['entries'], 'client_id'), $top['users']);
// In presence_room()'s order (same-second ties: the newest change first).
$order = array_values(array_filter(array_keys($room), fn($c) => $c !== 'u3' && $c !== 'anon'));
var_dump(array_column($top['entries'], 'client_id') === $order);
// An extra user already picked comes once; 1000 users is every user but 0.
var_dump(array_column(presence_room_top('admin/online', 1000, 2)['entries'], 'client_id'));
var_dump(presence_room_top('nobody-here', 20, 1));
// Expired entries are neither picked nor counted (u3's at +140).
presence_debug_advance(45);
var_dump(array_column(presence_room_top('admin/online', 5)['entries'], 'client_id'), presence_room_top('admin/online', 5)['users']);
// Only the current namespace.
presence_set_namespace('other');
var_dump(presence_room_top('admin/online', 5)['users']);
?>
--EXPECT--
array(2) {
  [0]=>
  string(7) "entries"
  [1]=>
  string(5) "users"
}
array(2) {
  [0]=>
  string(2) "u2"
  [1]=>
  string(2) "u3"
}
int(3)
bool(true)
bool(true)
array(3) {
  [0]=>
  string(2) "u2"
  [1]=>
  string(4) "u1-b"
  [2]=>
  string(4) "u1-a"
}
int(3)
bool(true)
array(4) {
  [0]=>
  string(2) "u2"
  [1]=>
  string(2) "u3"
  [2]=>
  string(4) "u1-b"
  [3]=>
  string(4) "u1-a"
}
array(2) {
  ["entries"]=>
  array(0) {
  }
  ["users"]=>
  int(0)
}
array(3) {
  [0]=>
  string(2) "u2"
  [1]=>
  string(4) "u1-b"
  [2]=>
  string(4) "u1-a"
}
int(2)
int(0)
