--TEST--
presence.shm_mode sets the segment mode; an unsafe value is refused with a clear message
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_segment_mode_ini
presence.debug_clock=1
presence.shm_mode=0660
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('a', '1', 1);
printf("%o\n", fileperms(ini_get('presence.shm_path')) & 0777);
?>
--EXPECT--
660
