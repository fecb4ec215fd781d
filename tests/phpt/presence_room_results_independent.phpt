--TEST--
Rows returned by presence_room() are independent arrays: mutating, referencing, copying or keeping them changes nothing else
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_results_independent
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
// Entries as the bridge writes them: shared screens and activities, a card with unique strings.
function entry_data($i, $gen = 0) {
    return [
        'screen' => $i % 3 ? 'edit-post' : 'dashboard',
        'activity' => $i % 5 ? 'online' : 'idle',
        '_wp' => ['n' => "Editor $i" . ($gen ? " v$gen" : ''), 'a' => "https://example.org/avatar/$i.png", 'p' => $i % 4 ? '' : 'dnd'],
    ];
}
function expected_rows($n, $gen = 0) {
    $rows = [];
    for ($i = 0; $i < $n; $i++) {
        $rows["tab-$i"] = ['room' => 'admin/online', 'client_id' => "tab-$i", 'user_id' => $i + 1, 'data' => entry_data($i, $gen)];
    }
    return $rows;
}
function same_rows($rows, $expected) {
    $got = [];
    foreach ($rows as $r) {
        if (array_keys($r) !== ['room', 'client_id', 'user_id', 'data', 'updated', 'expires']) {
            return 'keys: ' . implode(',', array_keys($r));
        }
        if ($r['expires'] !== $r['updated'] + 600) {
            return 'times of ' . $r['client_id'];
        }
        unset($r['updated'], $r['expires']);
        $got[$r['client_id']] = $r;
    }
    ksort($got);
    ksort($expected);
    return $got === $expected ? 'same' : 'different';
}
$n = 12;
for ($i = 0; $i < $n; $i++) {
    presence_upsert('admin/online', "tab-$i", $i + 1, entry_data($i), 600);
}
$a = presence_room('admin/online');
$b = presence_room('admin/online');
echo "two reads: ", same_rows($a, expected_rows($n)), ' ', var_export($a === $b, true), "\n";

// Change every kind of value in $a, through copies and references.
$a[0]['data']['screen'] .= '!';
$a[1]['data']['_wp']['n'] = 'changed';
$a[2]['room'] = 'elsewhere';
$a[3]['client_id'][0] = 'X';
unset($a[4]['data']['activity']);
$a[5]['data']['_wp'][] = 'extra';
$a[6]['data'] = null;
$ref = &$a[7]['data']['_wp']['a'];
$ref = 'by reference';
unset($ref);
$copy = $a[8];
$copy['data']['_wp']['p'] = 'away';
$a[9]['data']['_wp']['a'] .= '?';
sort($a[10]['data']);
foreach ($a as &$row) { $row['user_id']++; }
unset($row);
echo "others untouched: ", same_rows($b, expected_rows($n)), "\n";
echo "store untouched: ", same_rows(presence_room('admin/online'), expected_rows($n)), "\n";
echo "copy kept its own: ", $a[8]['data']['_wp']['p'] === $b[8]['data']['_wp']['p'] && $copy['data']['_wp']['p'] === 'away' ? 'yes' : 'no', "\n";

// Two rows with the same screen string: changing it in one leaves the other.
$c = presence_room('admin/online');
$dash = array_keys(array_filter($c, fn($r) => $r['data']['screen'] === 'dashboard'));
$c[$dash[0]]['data']['screen'][0] = 'D';
echo "shared string: ", $c[$dash[1]]['data']['screen'], ' ', $c[$dash[0]]['data']['screen'], "\n";

// serialize, json and var_export round trips, and comparison with a rebuilt copy.
echo "serialize: ", var_export(unserialize(serialize($b)) === $b, true), "\n";
echo "json: ", var_export(json_decode(json_encode($b), true) === $b, true), "\n";
echo "var_export: ", var_export(eval('return ' . var_export($b, true) . ';') === $b, true), "\n";

// Results kept across calls and changes to the room keep what they were read as.
$kept = [];
for ($gen = 1; $gen <= 4; $gen++) {
    $kept[$gen - 1] = presence_room('admin/online');
    for ($i = 0; $i < $n; $i++) {
        presence_upsert('admin/online', "tab-$i", $i + 1, entry_data($i, $gen), 600);
    }
}
for ($gen = 0; $gen < 4; $gen++) {
    echo "kept $gen: ", same_rows($kept[$gen], expected_rows($n, $gen)), "\n";
}
echo "latest: ", same_rows(presence_room('admin/online'), expected_rows($n, 4)), "\n";
echo "first read still: ", same_rows($b, expected_rows($n)), "\n";

// presence_get() and presence_user_entries() give the same rows.
$one = presence_get('admin/online', 'tab-4');
echo "get: ", same_rows([$one], ['tab-4' => expected_rows($n, 4)['tab-4']]), "\n";
presence_upsert('postType/post:1', 'editor-5', 5, ['post_id' => 1, '_wp' => entry_data(5)['_wp']], 600);
presence_upsert('postType/post:2', 'editor-5', 5, ['post_id' => 2, '_wp' => entry_data(5)['_wp']], 600);
$mine = presence_user_entries(5);
$mine[0]['room'] .= '#';
$rooms = array_column(presence_user_entries(5), 'room');
sort($rooms);
echo "user entries: ", implode(' ', $rooms), "\n";
?>
--EXPECT--
two reads: same true
others untouched: same
store untouched: same
copy kept its own: yes
shared string: dashboard Dashboard
serialize: true
json: true
var_export: true
kept 0: same
kept 1: same
kept 2: same
kept 3: same
latest: same
first read still: same
get: same
user entries: admin/online postType/post:1 postType/post:2
