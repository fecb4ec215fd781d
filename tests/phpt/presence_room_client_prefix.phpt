--TEST--
presence_room() with $client_prefix returns only the entries whose client id starts with it
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_client_prefix
--FILE--
<?php
require __DIR__ . '/fresh.inc';
foreach (['tab-1-aaaa', 'tab-1-bbbb', 'tab-2-cccc', 'editor-1-aaaa', 'lock-1', 'tab-'] as $c) {
    presence_upsert('r', $c, 1);
}
$ids = fn($p) => implode(' ', array_map(fn($e) => $e['client_id'], presence_room('r', null, $p)));
foreach (['tab-1-', 'tab-', 'lock-1', 'lock-12', '', null] as $p) {
    echo var_export($p, true), ': ', $ids($p), "\n";
}
echo count(presence_room('r', 60, 'tab-')), "\n";
try { presence_room('r', null, str_repeat('x', 256)); } catch (ValueError $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECTF--
'tab-1-': tab-1-bbbb tab-1-aaaa
'tab-': tab- tab-2-cccc tab-1-bbbb tab-1-aaaa
'lock-1': lock-1
'lock-12': 
'': tab- lock-1 editor-1-aaaa tab-2-cccc tab-1-bbbb tab-1-aaaa
NULL: tab- lock-1 editor-1-aaaa tab-2-cccc tab-1-bbbb tab-1-aaaa
4
presence_room(): Argument #3 ($client_prefix) must be at most 255 bytes
