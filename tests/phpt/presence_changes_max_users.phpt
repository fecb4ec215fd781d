--TEST--
presence_changes() with $max_users: null when more distinct users than that changed (tabs counted once), the changes otherwise; a negative bound is a ValueError
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_changes_max_users
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'old', 9, ['s' => 1]);
$v0 = presence_room_version('r');
// Three users changed: user 1 with two tabs, users 2 and 3 with one.
presence_upsert('r', 'a1', 1, ['s' => 1]);
presence_upsert('r', 'a2', 1, ['s' => 1]);
presence_upsert('r', 'b1', 2, ['s' => 1]);
presence_upsert('r', 'c1', 3, ['s' => 1]);
$users = fn($c) => $c === null ? 'null' : count(array_unique(array_column($c['changed'], 'user_id'))) . ' users, ' . count($c['changed']) . ' entries';
echo 'no bound: ', $users(presence_changes('r', $v0, true)), "\n";
echo 'bound 0 (none): ', $users(presence_changes('r', $v0, true, 0)), "\n";
foreach ([2, 3, 4] as $max) {
    echo "bound $max: ", $users(presence_changes('r', $v0, true, $max)), "\n";
}
// Unchanged: the version, whatever the bound.
$now = presence_room_version('r');
echo 'unchanged: ', $users(presence_changes('r', $now, true, 1)), ' version ', var_export(presence_changes('r', $now, true, 1)['version'] === $now, true), "\n";
// Bad bound.
try {
    presence_changes('r', $v0, true, -1);
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
// Nothing was lost: a later call without a bound still lists everything.
echo 'after: ', $users(presence_changes('r', $v0, true)), "\n";
?>
--EXPECT--
no bound: 3 users, 4 entries
bound 0 (none): 3 users, 4 entries
bound 2: null
bound 3: 3 users, 4 entries
bound 4: 3 users, 4 entries
unchanged: 0 users, 0 entries version true
ValueError: presence_changes(): Argument #4 ($max_users) must be greater than or equal to 0 (0: no bound)
after: 3 users, 4 entries
