--TEST--
presence_user_entries() lists a user's entries across rooms, newest first
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_user_entries_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('admin/online', 'user-5', 5, ['screen' => 'dashboard']);
presence_debug_advance(1);
presence_upsert('postType/post:9', 'editor-5', 5);
presence_upsert('postType/post:9', 'editor-6', 6);
foreach (presence_user_entries(5) as $e) { echo $e['room'], ' ', $e['client_id'], ' ', $e['user_id'], "\n"; }
var_dump(presence_user_entries(99));
?>
--EXPECT--
postType/post:9 editor-5 5
admin/online user-5 5
array(0) {
}
