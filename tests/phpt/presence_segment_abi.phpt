--TEST--
A segment created by a process that cannot share its mutexes (another pthread_mutex_t size) is refused with a message and left alone
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_segment_abi
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
require __DIR__ . '/subprocess.inc';
$path = ini_get('presence.shm_path');
presence_upsert('r', 'c', 1);
// The header's ABI fingerprint starts at byte 56; its mutex size is the u16 at 60.
$f = fopen($path, 'r+b');
fseek($f, 60);
$size = unpack('v', fread($f, 2))[1];
fseek($f, 60);
fwrite($f, pack('v', $size + 8));
fclose($f);
$before = md5_file($path);
echo presence_test_php('try { presence_room("r"); echo "opened\n"; } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }');
var_dump(md5_file($path) === $before);
?>
--EXPECTF--
presence: refusing the segment /dev/shm/presence-phpt-presence_segment_abi: its creator cannot share locks with this process (creator: %s, %d-byte pthread_mutex_t aligned to %d, robust mutexes; this process: %s). It is left alone, since processes of that build may be using it: run every PHP process that shares presence.shm_path on one platform, or give this one its own presence.shm_path
bool(true)
