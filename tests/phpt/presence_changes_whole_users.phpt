--TEST--
presence_changes() with $whole_users brings every entry of each touched user, and still lists removed tabs
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_changes_whole_users
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
foreach (['tab-1-a' => 1, 'tab-1-b' => 1, 'tab-1-c' => 1, 'tab-2-a' => 2, 'tab-3-a' => 3] as $c => $u) {
    presence_upsert('admin/online', $c, $u, ['screen' => 'dashboard']);
}
$v = presence_room_version('admin/online');
presence_upsert('admin/online', 'tab-1-b', 1, ['screen' => 'post']);
presence_remove('admin/online', 'tab-1-c');
presence_remove('admin/online', 'tab-2-a');
$ids = function ($rows) { $c = array_map(fn($e) => $e['client_id'], $rows); sort($c); return implode(' ', $c); };
$plain = presence_changes('admin/online', $v);
$whole = presence_changes('admin/online', $v, true);
echo $ids($plain['changed']), ' | ', $ids($plain['removed']), "\n";
echo $ids($whole['changed']), ' | ', $ids($whole['removed']), "\n";
var_dump($whole['version'] === $plain['version']);
?>
--EXPECT--
tab-1-b | tab-1-c tab-2-a
tab-1-a tab-1-b | tab-1-c tab-2-a
bool(true)
