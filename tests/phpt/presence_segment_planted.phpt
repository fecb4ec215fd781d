--TEST--
A valid-looking, world-writable segment planted by another user is refused with a message naming path, owner and mode, and left alone
--EXTENSIONS--
presence
--SKIPIF--
<?php if (!function_exists('posix_geteuid') || posix_geteuid() !== 0) die('skip needs root to hand a file to another user'); ?>
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_segment_planted
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
require __DIR__ . '/subprocess.inc';
$path = ini_get('presence.shm_path');
// A real segment, then handed to another user and opened to everyone, as an attacker would plant it.
presence_upsert('r', 'forged', 1, ['by' => 'mallory']);
chown($path, 12345);
chgrp($path, 12345);
chmod($path, 0666);
clearstatcache();
$before = md5_file($path);
echo presence_test_php('try { presence_room("r"); echo "opened\n"; } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }');
clearstatcache();
printf("%d %o %s\n", fileowner($path), fileperms($path) & 0777, md5_file($path) === $before ? 'unchanged' : 'changed');
?>
--EXPECTF--
presence: refusing the segment /dev/shm/presence-phpt-presence_segment_planted: it belongs to uid 12345 (group 12345, mode 0666), but this process runs as uid 0 (root); another user may have created it to read or forge presence. Delete it (as root or its owner) so the extension creates its own, or point presence.shm_path elsewhere (to share a segment between users, give them one group and set presence.shm_mode=0660)
12345 666 unchanged
