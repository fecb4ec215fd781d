--TEST--
A found segment's mode is narrowed to presence.shm_mode, never widened; one open to other users is refused
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_segment_mode_found
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
require __DIR__ . '/subprocess.inc';
$path = ini_get('presence.shm_path');
$mode = function () use ($path) { clearstatcache(); return sprintf('%o', fileperms($path) & 0777); };
$open = 'try { presence_upsert("r", "c", 1); echo "opened\n"; } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }';
presence_upsert('r', 'c', 1);
chmod($path, 0660);
echo presence_test_php($open), $mode(), "\n";
echo presence_test_php($open, ['presence.shm_mode' => '0660']), $mode(), "\n";
chmod($path, 0604);
echo presence_test_php($open), $mode(), "\n";
echo presence_test_php($open, ['presence.shm_mode' => '0666']);
?>
--EXPECTF--
opened
600
opened
600
presence: refusing the segment /dev/shm/presence-phpt-presence_segment_mode_found: its mode 0604 gives other users access (owner uid %d%s); delete it so the extension creates it again with presence.shm_mode (0600): a segment other users could read or write is never trusted
604
presence.shm_mode must be an octal mode with owner read/write and nothing for other users, such as 0600 or 0660 (got "0666")
