--TEST--
A presence function called while another one runs (from a destructor the GC calls inside it) works
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_reentrant_call
presence.debug_clock=1
zend.enable_gc=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'c', 1, ['x' => 1]);
// As in presence_fatal_mid_call: a full GC root buffer makes presence_get() start a collection.
class Nested {
    public $self;
    function __destruct() {
        static $once = false;
        if ($once) return;
        $once = true;
        $inside = in_array('presence_get', array_column(debug_backtrace(), 'function'), true);
        echo 'inside presence_get(): ', $inside ? 'yes' : 'no', "\n";
        presence_upsert('r', 'from-destructor', 2, ['y' => 2]);
        echo 'nested read: ', implode(',', array_column(presence_room('r'), 'client_id')), "\n";
    }
}
$t = gc_status()['threshold'];
while (gc_status()['roots'] < $t - 1) { $b = new Nested; $b->self = $b; unset($b); }
var_dump(presence_get('r', 'c')['data']);
var_dump(array_column(presence_room('r'), 'client_id'), presence_get('r', 'from-destructor')['data']);
?>
--EXPECT--
inside presence_get(): yes
nested read: from-destructor,c
array(1) {
  ["x"]=>
  int(1)
}
array(2) {
  [0]=>
  string(15) "from-destructor"
  [1]=>
  string(1) "c"
}
array(1) {
  ["y"]=>
  int(2)
}
