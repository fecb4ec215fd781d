--TEST--
One room holds 20000 live entries at presence.capacity=65536 (more than a shard), and every other room keeps working
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_big_room
presence.debug_clock=1
presence.capacity=65536
--FILE--
<?php
require __DIR__ . '/fresh.inc';
var_dump(presence_stats()['shards'], presence_stats()['capacity']);
for ($i = 0; $i < 20000; $i++) {
    presence_upsert('admin/online', "tab-$i", $i, ['screen' => 'dashboard']);
}
// 200 other rooms: some hash to the big room's home shard.
for ($r = 0; $r < 200; $r++) {
    presence_upsert("postType/post:$r", 'editor-1', 1, ['screen' => 'post']);
}
$rows = presence_room('admin/online');
var_dump(count($rows), count(array_unique(array_column($rows, 'client_id'))));
$ok = 0;
for ($r = 0; $r < 200; $r++) { $ok += count(presence_room("postType/post:$r")); }
var_dump($ok);
$v = presence_room_version('admin/online');
var_dump(presence_upsert('admin/online', 'tab-19999', 19999, ['screen' => 'dashboard']), presence_room_version('admin/online') === $v);
var_dump(presence_upsert('admin/online', 'tab-7', 7, ['screen' => 'post']), presence_remove('admin/online', 'tab-8'));
$c = presence_changes('admin/online', $v);
var_dump(count($c['changed']), $c['changed'][0]['client_id'], $c['removed']);
var_dump(presence_get('admin/online', 'tab-12345')['user_id'], presence_stats()['entries']);
$list = array_column(presence_rooms('admin/'), 'entries', 'room');
var_dump($list);
presence_debug_advance(61);
var_dump(presence_room_version('admin/online'), presence_sweep(), presence_stats()['entries']);
?>
--EXPECT--
int(16)
int(65536)
int(20000)
int(20000)
int(200)
bool(false)
bool(true)
bool(true)
bool(true)
int(1)
string(5) "tab-7"
array(1) {
  [0]=>
  array(2) {
    ["client_id"]=>
    string(5) "tab-8"
    ["user_id"]=>
    int(8)
  }
}
int(12345)
int(20199)
array(1) {
  ["admin/online"]=>
  int(19999)
}
int(0)
int(200)
int(0)
