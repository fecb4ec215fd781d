--TEST--
presence_room_top() over a room of 5000 entries spread over shards matches what presence_room() holds
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_top_big_room
presence.debug_clock=1
presence.capacity=16384
--FILE--
<?php
require __DIR__ . '/fresh.inc';
// 3000 users, some with several tabs written at different times, and anonymous tabs.
for ($i = 0; $i < 5000; $i++) {
    $user = $i % 13 === 0 ? 0 : $i % 3000 + 1;
    presence_upsert('admin/online', "tab-$i", $user, ['screen' => 'dashboard', 'i' => $i], 600);
    if ($i % 250 === 0) { presence_debug_advance(1); }
}
// Four users come back later: their newest tab lands in another part than their first.
// The first four users are then 1, 2999, 2500 and 17, with both their tabs.
foreach ([17, 2500, 2999, 1] as $u) {
    presence_debug_advance(1);
    presence_upsert('admin/online', "back-$u", $u, ['screen' => 'post'], 600);
}
$stats = presence_stats();
var_dump($stats['entries'], $stats['entries'] > $stats['capacity'] / $stats['shards']);

// What the contract asks, computed from the whole room.
function reference(array $rows, int $n, int $extra): array {
    $newest = [];
    foreach ($rows as $r) {
        if ($r['user_id'] > 0) { $newest[$r['user_id']] = max($newest[$r['user_id']] ?? 0, $r['updated']); }
    }
    $users = array_keys($newest);
    usort($users, fn($a, $b) => [$newest[$b], $a] <=> [$newest[$a], $b]);
    $picked = array_flip(array_slice($users, 0, $n));
    $picked[$extra] = true;
    $keep = array_values(array_filter($rows, fn($r) => $r['user_id'] > 0 && isset($picked[$r['user_id']])));
    return [$keep, count($newest)];
}
$all = presence_room('admin/online');
$ok = true;
foreach ([[1, 0], [20, 0], [20, 5], [20, 17], [100, 2998], [1000, 0]] as [$n, $extra]) {
    [$want, $users] = reference($all, $n, $extra);
    $top = presence_room_top('admin/online', $n, $extra);
    $got = $top['entries'];
    $byClient = fn($rows) => array_column($rows, null, 'client_id');
    $same = $top['users'] === $users && count($got) === count($want) && $byClient($got) == $byClient($want);
    $sorted = true;
    for ($k = 1; $k < count($got); $k++) { $sorted = $sorted && $got[$k - 1]['updated'] >= $got[$k]['updated']; }
    if (!$same || !$sorted) { $ok = false; echo "room_top($n, $extra) differs\n"; }
}
var_dump($ok, presence_room_top('admin/online', 20)['users']);
$first = array_column(presence_room_top('admin/online', 4)['entries'], 'client_id');
sort($first);
var_dump($first);
?>
--EXPECT--
int(5004)
bool(true)
bool(true)
int(2923)
array(8) {
  [0]=>
  string(6) "back-1"
  [1]=>
  string(7) "back-17"
  [2]=>
  string(9) "back-2500"
  [3]=>
  string(9) "back-2999"
  [4]=>
  string(6) "tab-16"
  [5]=>
  string(8) "tab-2499"
  [6]=>
  string(8) "tab-2998"
  [7]=>
  string(8) "tab-3000"
}
