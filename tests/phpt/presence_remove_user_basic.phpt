--TEST--
presence_remove_user() removes all of a user's entries in the namespace only
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_remove_user_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('admin/online', 'user-5', 5);
presence_upsert('postType/post:1', 'editor-5', 5);
presence_upsert('postType/post:1', 'lock-5', 5);
presence_upsert('postType/post:1', 'editor-6', 6);
presence_set_namespace('other-site');
presence_upsert('admin/online', 'user-5', 5);
presence_set_namespace('');
var_dump(presence_remove_user(5));
var_dump(array_column(presence_room('postType/post:1'), 'client_id'));
presence_set_namespace('other-site');
var_dump(count(presence_room('admin/online')));
?>
--EXPECT--
int(3)
array(1) {
  [0]=>
  string(8) "editor-6"
}
int(1)
