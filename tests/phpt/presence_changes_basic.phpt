--TEST--
presence_changes() lists what changed and what left since a version, or null when the log no longer reaches back
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_changes_basic
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
function show($c) {
    if ($c === null) { echo "null\n"; return; }
    $changed = array_map(fn($e) => $e['client_id'] . '=' . json_encode($e['data']), $c['changed']);
    $removed = array_map(fn($e) => $e['client_id'] . '/' . $e['user_id'], $c['removed']);
    sort($changed); sort($removed);
    echo 'changed [', implode(' ', $changed), '] removed [', implode(' ', $removed), "]\n";
}
presence_upsert('r', 'a', 1, ['s' => 1]);
presence_upsert('r', 'b', 2, ['s' => 1]);
presence_upsert('r', 'c', 3, ['s' => 1], 5);
$v0 = presence_room_version('r');
// Nothing since: the same version, nothing listed.
$c = presence_changes('r', $v0);
var_dump($c['version'] === $v0);
show($c);
presence_upsert('r', 'a', 1, ['s' => 1]);         // a refresh is not a change
presence_upsert('r', 'b', 2, ['s' => 2]);         // changed
presence_upsert('r', 'd', 4, ['s' => 1]);         // new
presence_remove('r', 'a');                        // removed, with its user id
show(presence_changes('r', $v0));
presence_debug_advance(5);                        // c expires: a removal too
$c = presence_changes('r', $v0);
show($c);
var_dump($c['version'] === presence_room_version('r'), $c['version'] !== $v0);
// The rows are presence_room() rows.
var_dump(array_keys($c['changed'][0]));
// 0 means "I saw the room empty": everything live is a change.
show(presence_changes('r', 0));
// A version this room never had: null, read the whole room.
var_dump(presence_changes('r', $c['version'] + 1000));
var_dump(presence_changes('nowhere', 0)['version'], presence_changes('nowhere', 5));
// Removing everything: version 0, and an old version is too old.
presence_clear();
var_dump(presence_room_version('r'), presence_changes('r', $v0));
?>
--EXPECT--
bool(true)
changed [] removed []
changed [b={"s":2} d={"s":1}] removed [a/1]
changed [b={"s":2} d={"s":1}] removed [a/1 c/3]
bool(true)
bool(true)
array(6) {
  [0]=>
  string(4) "room"
  [1]=>
  string(9) "client_id"
  [2]=>
  string(7) "user_id"
  [3]=>
  string(4) "data"
  [4]=>
  string(7) "updated"
  [5]=>
  string(7) "expires"
}
changed [b={"s":2} d={"s":1}] removed []
NULL
int(0)
NULL
int(0)
NULL
