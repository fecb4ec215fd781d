--TEST--
A segment that does not fit its tmpfs fails at once with a message naming the settings, the size needed and the free space, and leaves no file
--EXTENSIONS--
presence
--SKIPIF--
<?php
if (!function_exists('posix_geteuid') || posix_geteuid() !== 0) die('skip needs root to mount a small tmpfs');
exec('unshare --mount --propagation private true 2>/dev/null', $o, $rc);
if ($rc !== 0) die('skip cannot make a mount namespace here');
?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_segment_no_space
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
require __DIR__ . '/subprocess.inc';
$dir = sys_get_temp_dir() . '/presence-phpt-no-space-' . getmypid();
mkdir($dir);
// A 2 MiB tmpfs, private to the child, as a small Docker /dev/shm would be.
$wrap = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"', $dir];
$code = 'try { presence_upsert("r", "c", 1); echo "opened\n"; } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }'
    . ' echo json_encode(scandir(dirname(ini_get("presence.shm_path")))), "\n";';
echo presence_test_php($code, ['presence.shm_path' => "$dir/seg"], $wrap);
echo presence_test_php($code, ['presence.shm_path' => "$dir/seg", 'presence.capacity' => '64', 'presence.data_memory' => '64K', 'presence.shards' => '1'], $wrap);
rmdir($dir);
?>
--EXPECTF--
presence: no room for the segment %s/seg: presence.capacity=16384, presence.data_memory=32.0 MiB and presence.shards=16 need %f MiB, but its file system has %s free of 2.0 MiB. Lower presence.capacity or presence.data_memory, or give the file system more room (Docker: --shm-size; a tmpfs: mount -o remount,size=…). Nothing was created
[".",".."]
opened
[".","..","seg"]
