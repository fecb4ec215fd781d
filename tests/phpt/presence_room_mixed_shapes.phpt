--TEST--
presence_room() returns each entry's data exactly, whatever the shapes of the entries beside it
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_mixed_shapes
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$many = [];
for ($k = 0; $k < 70; $k++) { $many["k$k"] = $k % 2 ? "v$k" : $k; }
$deep = 'bottom';
for ($d = 0; $d < 7; $d++) { $deep = ['d' => $deep, 'n' => $d]; }
// Shapes chosen to hit the decoder's paths: a template matching, missing at the first or a later
// key (after values were already placed), nested templates matching or not, lists, integer
// keys, values changing type, strings shared, differing, or repeating after several misses.
$shapes = [
    fn($i) => ['screen' => 'dashboard', 'activity' => 'online', '_wp' => ['n' => "N$i", 'a' => "A$i", 'p' => '']],
    fn($i) => ['screen' => 'dashboard', 'activity' => 'online', '_wp' => ['n' => "N$i", 'a' => "A$i", 'x' => '']],
    fn($i) => ['screen' => 'dashboard', 'activity' => $i, '_wp' => ['n' => "N$i", 'a' => ["A$i"], 'p' => null]],
    fn($i) => ['screen' => 'post', 'activity' => 'online', 'post_id' => $i, '_wp' => ['n' => "N$i", 'a' => "A$i", 'p' => 'dnd']],
    fn($i) => ['activity' => 'online', 'screen' => 'dashboard', '_wp' => ['n' => "N$i", 'a' => "A$i", 'p' => '']],
    fn($i) => [1, 2, [3, [4, 'five']]],
    fn($i) => [5 => 'five', 'x' => 1.5, 7 => true, -1 => false, 'null' => null, '' => '', "\0" => "\0\xff"],
    fn($i) => ['screen' => ['dashboard'], 'activity' => 'online', '_wp' => []],
    fn($i) => [],
    fn($i) => ['screen' => str_repeat("long $i ", 200), 'activity' => 'x', '_wp' => ['n' => 'N', 'a' => 'A', 'p' => 'P']],
    fn($i) => $GLOBALS['many'],
    fn($i) => ['deep' => $GLOBALS['deep']],
    fn($i) => ['screen' => 'dashboard', 'activity' => 'online', '_wp' => ['n' => "N$i", 'a' => "A$i", 'p' => '']],
    fn($i) => ['screen' => 'dashboarx', 'activitz' => 'online', '_wp' => ['n' => "N$i", 'a' => "A$i", 'p' => '']],
    fn($i) => ['screen' => 'dashboard', 'activity' => 'onlinf', '_wp' => ['n' => "N$i", 'a' => "A$i", 'p' => 'q']],
];
$patterns = [
    'one shape' => fn($i) => 0,
    'two alternating' => fn($i) => $i % 2 ? 0 : 3,
    'three rotating' => fn($i) => [0, 3, 4][$i % 3],
    'later key differs' => fn($i) => $i % 4 ? 0 : 1,
    'nested differs' => fn($i) => $i % 3 ? 0 : 2,
    'everything' => fn($i) => $i % count($GLOBALS['shapes']),
    'unique then repeat' => fn($i) => $i < 20 ? 0 : 12,
    'differ at the end' => fn($i) => [0, 13, 14][$i % 3],
];
$failures = 0;
foreach ($patterns as $name => $pick) {
    presence_clear();
    $want = [];
    for ($i = 0; $i < 40; $i++) {
        $data = $shapes[$pick($i)]($name === 'unique then repeat' && $i >= 20 ? 7 : $i);
        presence_upsert('r', "c$i", $i, $data, 600);
        $want["c$i"] = $data;
    }
    for ($read = 0; $read < 2; $read++) {
        $got = [];
        foreach (presence_room('r') as $row) {
            $got[$row['client_id']] = $row['data'];
        }
        ksort($got);
        ksort($want);
        if ($got !== $want) {
            $failures++;
            echo "$name: different\n";
        }
    }
    $one = presence_get('r', 'c5');
    if ($one['data'] !== $want['c5']) {
        echo "$name: get differs\n";
    }
}
echo "failures: $failures\n";
?>
--EXPECT--
failures: 0
