--TEST--
Debug functions refuse to run unless presence.debug_clock=1
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_debug_disabled
presence.debug_clock=0
--FILE--
<?php
require __DIR__ . '/fresh.inc';
foreach ([fn() => presence_debug_advance(10), fn() => presence_debug_stall('r', 1), fn() => presence_debug_reset_clock()] as $f) {
    try { $f(); } catch (PresenceException $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
var_dump(presence_stats()['clock_offset']);
?>
--EXPECT--
PresenceException: presence_debug_advance() needs presence.debug_clock=1 in php.ini (test machines only)
PresenceException: presence_debug_stall() needs presence.debug_clock=1 in php.ini (test machines only)
PresenceException: presence_debug_reset_clock() needs presence.debug_clock=1 in php.ini (test machines only)
int(0)
