--TEST--
Namespaces keep sites apart; the ini value is the per-request default
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_namespace_isolation
presence.debug_clock=1
presence.namespace=site-a
--FILE--
<?php
require __DIR__ . '/fresh.inc';
var_dump(presence_namespace());
presence_upsert('admin/online', 'user-1', 1);
presence_set_namespace('blog-2');
var_dump(presence_namespace(), presence_room('admin/online'), presence_rooms(), presence_user_entries(1), presence_clear());
presence_upsert('admin/online', 'user-9', 9);
presence_set_namespace('site-a');
var_dump(array_column(presence_room('admin/online'), 'client_id'));
?>
--EXPECT--
string(6) "site-a"
string(6) "blog-2"
array(0) {
}
array(0) {
}
array(0) {
}
int(0)
array(1) {
  [0]=>
  string(6) "user-1"
}
