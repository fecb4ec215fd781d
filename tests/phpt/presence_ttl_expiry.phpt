--TEST--
Entries expire after their TTL without sleeping, through the debug clock
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_ttl_expiry
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$t0 = presence_time();
presence_upsert('r', 'short', 1, [], 30);
presence_upsert('r', 'long', 2, [], 60);
presence_debug_advance(29);
var_dump(presence_time() - $t0, count(presence_room('r')));
presence_debug_advance(1);
var_dump(array_column(presence_room('r'), 'client_id'));
presence_upsert('r', 'long', 2, [], 60);
presence_debug_advance(59);
var_dump(count(presence_room('r')));
presence_debug_advance(1);
var_dump(presence_room('r'));
?>
--EXPECT--
int(29)
int(2)
array(1) {
  [0]=>
  string(4) "long"
}
int(1)
array(0) {
}
