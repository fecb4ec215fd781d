--TEST--
presence_rooms() lists live rooms under a prefix with entry and user counts
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_rooms_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('postType/post:1', 'editor-1-tab-a', 1);
presence_upsert('postType/post:1', 'lock-1', 1);
presence_upsert('postType/post:1', 'editor-2-tab-a', 2);
presence_upsert('postType/page:7', 'editor-3', 3, [], 5);
presence_upsert('admin/online', 'user-1', 1);
foreach (presence_rooms('postType/') as $r) { echo "{$r['room']} entries={$r['entries']} users={$r['users']} v=", $r['version'] > 0 ? 'yes' : 'no', "\n"; }
echo count(presence_rooms()), "\n";
presence_debug_advance(5);
echo count(presence_rooms('postType/')), "\n";
?>
--EXPECT--
postType/page:7 entries=1 users=1 v=yes
postType/post:1 entries=3 users=2 v=yes
3
1
