--TEST--
presence.lock_timeout_ms out of range is refused with a message naming it
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_lock_timeout_ini
presence.debug_clock=1
presence.lock_timeout_ms=0
--FILE--
<?php
require __DIR__ . '/fresh.inc';
try { presence_upsert('a', '1', 1); } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }
var_dump(file_exists(ini_get('presence.shm_path')));
?>
--EXPECT--
presence.lock_timeout_ms must be a whole number of milliseconds between 1 and 60000, such as 1000 (got "0")
bool(false)
