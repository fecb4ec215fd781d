--TEST--
presence_room_top() names what to fix in bad arguments
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_top_bad_input
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'keep', 1);
$cases = [
    'empty room' => fn() => presence_room_top('', 20),
    'room too long' => fn() => presence_room_top(str_repeat('r', 256), 20),
    'no users' => fn() => presence_room_top('r', 0),
    'negative users' => fn() => presence_room_top('r', -5),
    'too many users' => fn() => presence_room_top('r', 1001),
    'huge users' => fn() => presence_room_top('r', PHP_INT_MAX),
    'negative user_id' => fn() => presence_room_top('r', 20, -1),
    'users not int' => fn() => presence_room_top('r', 'twenty'),
    'one user' => fn() => count(presence_room_top('r', 1)['entries']),
    'a thousand users' => fn() => count(presence_room_top('r', 1000)['entries']),
];
foreach ($cases as $name => $f) {
    try { $r = $f(); echo "$name: ", var_export($r, true), "\n"; }
    catch (Throwable $e) { printf("%s: %s %s\n", $name, get_class($e), $e->getMessage()); }
}
?>
--EXPECTF--
empty room: ValueError presence_room_top(): Argument #1 ($room) must not be empty
room too long: ValueError presence_room_top(): Argument #1 ($room) must be at most 255 bytes
no users: ValueError presence_room_top(): Argument #2 ($users) must be between 1 and 1000
negative users: ValueError presence_room_top(): Argument #2 ($users) must be between 1 and 1000
too many users: ValueError presence_room_top(): Argument #2 ($users) must be between 1 and 1000
huge users: ValueError presence_room_top(): Argument #2 ($users) must be between 1 and 1000
negative user_id: ValueError presence_room_top(): Argument #3 ($user_id) must be greater than or equal to 0
users not int: TypeError %s
one user: 1
a thousand users: 1
