--TEST--
The segment is created owner-only by default and with presence.shm_mode otherwise
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_segment_permissions
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('a', '1', 1);
printf("%o\n", fileperms(ini_get('presence.shm_path')) & 0777);
?>
--EXPECT--
600
