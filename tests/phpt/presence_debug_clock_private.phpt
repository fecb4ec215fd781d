--TEST--
The debug clock offset applies only to processes running with presence.debug_clock=1, and presence_debug_reset_clock() sets it back
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_debug_clock_private
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
require __DIR__ . '/subprocess.inc';
presence_upsert('r', 'c', 1);
var_dump(presence_debug_advance(3600));
// A live site's process (no debug clock) on the same segment keeps the wall clock.
$probe = '$s = presence_stats(); echo json_encode([abs(presence_time() - time()) <= 2, $s["clock_offset"], $s["debug_clock_offset"]]), "\n";';
echo presence_test_php($probe, ['presence.debug_clock' => '0']);
echo presence_test_php($probe);
var_dump(presence_time() - time() >= 3598);
var_dump(presence_debug_reset_clock());
var_dump(abs(presence_time() - time()) <= 2, presence_stats()['clock_offset'], presence_debug_reset_clock());
?>
--EXPECT--
int(3600)
[true,0,3600]
[false,3600,3600]
bool(true)
int(3600)
bool(true)
int(0)
int(0)
