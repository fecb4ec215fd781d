--TEST--
presence_room_counts() counts one room's entries and distinct users in many namespaces at once
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-room_counts_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_set_namespace('site-1');
presence_upsert('admin/online', 'tab-1-a', 1);
presence_upsert('admin/online', 'tab-1-b', 1);
presence_upsert('admin/online', 'tab-2-a', 2, [], 5);
presence_upsert('chat', 'tab-9', 9);
presence_set_namespace('site-1~h'); // A hidden namespace: only counted when asked for.
presence_upsert('admin/online', 'tab-7', 7);
presence_set_namespace('site-2');
presence_upsert('admin/online', 'tab-3', 3);
$t = presence_time();
$all = presence_room_counts([1 => 'site-1', 2 => 'site-2', 3 => 'site-3', 'h' => 'site-1~h'], 'admin/online');
foreach ($all as $k => $c) { echo "$k entries={$c['entries']} users=", implode(',', $c['users']), ' updated=', $c['updated'] === $t ? 'now' : $c['updated'], "\n"; }
echo presence_namespace(), "\n"; // The caller's namespace is untouched.
presence_debug_advance(6);
echo presence_room_counts(['site-1'], 'admin/online')[0]['entries'], "\n";
var_dump(presence_room_counts([], 'admin/online'));
?>
--EXPECT--
1 entries=3 users=1,2 updated=now
2 entries=1 users=3 updated=now
3 entries=0 users= updated=0
h entries=1 users=7 updated=now
site-2
2
array(0) {
}
