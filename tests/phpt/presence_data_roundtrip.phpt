--TEST--
data keeps every scalar type, integer keys, binary strings and nesting
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_data_roundtrip
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
$data = ['null' => null, 't' => true, 'f' => false, 'i' => PHP_INT_MIN, 'x' => 1.25, 'nan' => -0.0,
    's' => "bin\0ary\xff", 7 => 'int key', -3 => 'negative', 'list' => [1, [2, [3]]], "k\0ey" => 'binary key', '' => 'empty key'];
presence_upsert('r', 'c', 1, $data);
var_dump(presence_get('r', 'c')['data'] === $data);
presence_upsert('r', 'c', 1);
var_dump(presence_get('r', 'c')['data']);
?>
--EXPECT--
bool(true)
array(0) {
}
