--TEST--
Arrays returned by presence_room() support key lookups on every field (hash chains intact)
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_room_lookup
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$data = [];
for ($k = 0; $k < 16; $k++) { $data["key$k"] = $k; }
$data['list'] = [10, 20];
for ($i = 0; $i < 5; $i++) { presence_upsert('r', "c$i", $i, $data); }
$ok = 0;
for ($round = 0; $round < 2; $round++) {
    foreach (presence_room('r') as $row) {
        foreach ($data as $k => $v) { $ok += (int) ($row['data'][$k] === $v && isset($row['data'][$k])); }
        $ok += (int) (isset($row['room'], $row['client_id'], $row['user_id'], $row['updated'], $row['expires']));
        $row['data']['added'] = 1; // copy-on-write of a shaped array
        $ok += (int) ($row['data']['added'] === 1 && count($row['data']) === 18);
    }
}
var_dump($ok, array_column(presence_room('r'), 'user_id', 'client_id')['c3']);
?>
--EXPECT--
int(190)
int(3)
