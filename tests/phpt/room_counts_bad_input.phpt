--TEST--
presence_room_counts() names what to fix in bad arguments
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-room_counts_bad_input
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$cases = [
    [['a', 7], 'admin/online'],
    [['a', ['x']], 'admin/online'],
    [[str_repeat('n', 65)], 'admin/online'],
    [['a'], ''],
    [['a'], str_repeat('r', 256)],
];
foreach ($cases as [$ns, $room]) {
    try { presence_room_counts($ns, $room); echo "no error\n"; }
    catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
try { presence_room_counts('a', 'r'); } catch (TypeError $e) { echo "TypeError\n"; }
?>
--EXPECTF--
TypeError: presence_room_counts(): Argument #1 ($namespaces) must be a list of strings, element 1 is %s
TypeError: presence_room_counts(): Argument #1 ($namespaces) must be a list of strings, element 1 is %s
ValueError: presence_room_counts(): Argument #1 ($namespaces) element 0 must be at most 64 bytes
ValueError: presence_room_counts(): Argument #2 ($room) must not be empty
ValueError: presence_room_counts(): Argument #2 ($room) must be at most 255 bytes
TypeError
