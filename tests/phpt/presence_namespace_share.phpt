--TEST--
One namespace flooding the segment is stopped at presence.namespace_share; other sites keep writing and nothing stored is touched
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_namespace_share
presence.capacity=1024
presence.shards=4
presence.namespace_share=50
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_set_namespace('victim');
presence_upsert('admin/online', 'user-1', 1, ['screen' => 'dashboard']);
presence_set_namespace('flood');
$n = 0;
try {
    for (;; $n++) { presence_upsert('admin/online', 'tab-' . $n, 7, ['screen' => 'dashboard']); }
} catch (PresenceException $e) {
    echo $e->getMessage(), "\n";
}
var_dump($n >= 500 && $n <= 512, count(presence_room('admin/online')) === $n);
// Changing an entry in place still works for the flood; a new one does not.
var_dump(presence_upsert('admin/online', 'tab-0', 7, ['screen' => 'post']));
try { presence_upsert('other-room', 'x', 7); echo "stored\n"; } catch (PresenceException $e) { echo "refused\n"; }
presence_set_namespace('victim');
var_dump(count(presence_room('admin/online')));
for ($i = 0; $i < 300; $i++) { presence_upsert('admin/online', 'tab-' . $i, $i); }
var_dump(count(presence_room('admin/online')), presence_stats()['share_refusals'] >= 2);
?>
--EXPECT--
this namespace uses its whole share of the presence store; raise presence.namespace_share, or presence.capacity and presence.data_memory (and restart PHP)
bool(true)
bool(true)
bool(true)
refused
int(1)
int(301)
bool(true)
