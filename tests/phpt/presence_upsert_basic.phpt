--TEST--
presence_upsert() creates, refreshes and changes entries
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_upsert_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
var_dump(presence_upsert('admin/online', 'user-1', 1, ['screen' => 'dashboard']));
var_dump(presence_upsert('admin/online', 'user-1', 1, ['screen' => 'dashboard']));
var_dump(presence_upsert('admin/online', 'user-1', 1, ['screen' => 'edit-post']));
var_dump(presence_upsert('admin/online', 'user-1', 2, ['screen' => 'edit-post']));
$e = presence_get('admin/online', 'user-1');
var_dump($e['user_id'], $e['data'], $e['expires'] - $e['updated']);
?>
--EXPECT--
bool(true)
bool(false)
bool(true)
bool(true)
int(2)
array(1) {
  ["screen"]=>
  string(9) "edit-post"
}
int(60)
