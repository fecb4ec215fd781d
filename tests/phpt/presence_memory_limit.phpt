--TEST--
A memory_limit fatal while a big room's result is built ends the request normally; presence still works after it
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_memory_limit
presence.debug_clock=1
memory_limit=128M
--FILE--
<?php
require __DIR__ . '/fresh.inc';
for ($i = 0; $i < 1000; $i++) {
    presence_upsert('big', "c$i", $i, ['name' => str_repeat('n', 1000) . $i, 'list' => range(1, 20)]); // Distinct: equal strings are shared between rows.
}
register_shutdown_function(function () {
    var_dump(presence_get('big', 'c1')['data']['list'][19], presence_stats()['entries']);
    var_dump(presence_upsert('small', 'after', 1), count(presence_room('small')));
});
// The room's rows take about 2.8 MB: more than is left, less than PHP's hard limit (twice this).
ini_set('memory_limit', (string) (memory_get_usage(true) + (1 << 20)));
$rows = presence_room('big');
echo "not reached\n";
?>
--EXPECTF--
Fatal error: Allowed memory size of %d bytes exhausted %s
int(20)
int(1000)
bool(true)
int(1)
