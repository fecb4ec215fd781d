--TEST--
Invalid ini settings produce a PresenceException that names the setting
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_bad_ini
presence.debug_clock=1
presence.shm_mode=0044
--FILE--
<?php
require __DIR__ . '/fresh.inc';
try { presence_upsert('a', '1', 1); } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECT--
presence.shm_mode must be an octal mode with owner read/write and nothing for other users, such as 0600 or 0660 (got "0044")
