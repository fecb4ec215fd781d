--TEST--
presence_room_versions() lists the rooms presence_rooms() lists, name and version only, and follows expiry
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_versions_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('postType/post:1', 'editor-1-tab-a', 1);
presence_upsert('postType/post:1', 'editor-2-tab-a', 2);
presence_upsert('postType/page:7', 'editor-3', 3, [], 5);
presence_upsert('admin/online', 'user-1', 1);
$listed = array_map(fn ($r) => [$r['room'], $r['version']], presence_rooms('postType/'));
$versions = presence_room_versions('postType/');
var_dump($versions === array_map(fn ($r) => ['room' => $r[0], 'version' => $r[1]], $listed));
echo implode(',', array_keys($versions[0])), "\n";
echo count(presence_room_versions()), ' ', count(presence_room_versions('nope/')), "\n";
// A change moves the room's version; an expiry drops the room (its entries are reclaimed).
$before = presence_room_versions('postType/post:1')[0]['version'];
presence_upsert('postType/post:1', 'editor-2-tab-a', 2, ['moved' => true]);
var_dump(presence_room_versions('postType/post:1')[0]['version'] > $before);
presence_debug_advance(5);
echo implode(',', array_column(presence_room_versions('postType/'), 'room')), "\n";
try {
    presence_room_versions(str_repeat('x', 5000));
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECTF--
bool(true)
room,version
3 0
bool(true)
postType/post:1
ValueError: presence_room_versions(): Argument #1 ($prefix) must be at most %d bytes
