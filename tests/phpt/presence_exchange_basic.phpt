--TEST--
presence_exchange() writes my entry and reads the room in one call, with presence_room()'s filters
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_exchange_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('postType/post:7', 'yjs-11', 2, ['cursor' => 3]);
presence_upsert('postType/post:7', 'lock-2', 2, ['action' => 'editing']);
presence_debug_advance(20);
$rows = presence_exchange('postType/post:7', 'yjs-12', 1, ['cursor' => 9], 30);
echo implode(' ', array_column($rows, 'client_id')), "\n";
var_dump($rows === presence_room('postType/post:7'));
$v = presence_room_version('postType/post:7');
// Same data again: a refresh, the version stays.
$rows = presence_exchange('postType/post:7', 'yjs-12', 1, ['cursor' => 9], 30, null, 'yjs-');
echo implode(' ', array_column($rows, 'client_id')), "\n";
var_dump($v === presence_room_version('postType/post:7'));
// $max_age keeps only recent writes (mine is new, the others are 20 s old).
echo implode(' ', array_column(presence_exchange('postType/post:7', 'yjs-12', 1, ['cursor' => 9], 30, 10), 'client_id')), "\n";
var_dump(presence_get('postType/post:7', 'yjs-12')['data']);
foreach ([
    fn() => presence_exchange('', 'c', 1, null, null),
    fn() => presence_exchange('r', 'c', -1, null, null),
    fn() => presence_exchange('r', 'c', 1, null, 0),
    fn() => presence_exchange('r', 'c', 1, null, null, -1),
    fn() => presence_exchange('r', 'c', 1, null, null, null, str_repeat('p', 256)),
] as $f) {
    try { $f(); echo "no error\n"; } catch (ValueError $e) { echo $e->getMessage(), "\n"; }
}
?>
--EXPECT--
yjs-12 lock-2 yjs-11
bool(true)
yjs-12 yjs-11
bool(true)
yjs-12
array(1) {
  ["cursor"]=>
  int(9)
}
presence_exchange(): Argument #1 ($room) must not be empty
presence_exchange(): Argument #3 ($user_id) must be greater than or equal to 0
presence_exchange(): Argument #5 ($ttl) must be between 1 and 86400 seconds (check presence.default_ttl)
presence_exchange(): Argument #6 ($max_age) must be greater than or equal to 0
presence_exchange(): Argument #7 ($client_prefix) must be at most 255 bytes
