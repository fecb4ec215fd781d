--TEST--
A fatal error raised while a presence function runs (by a destructor the GC calls) leaves the extension usable
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_fatal_mid_call
presence.debug_clock=1
zend.enable_gc=1
error_reporting=E_ALL & ~E_DEPRECATED
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'c', 1, ['x' => 1]);
// (error_reporting leaves out E_DEPRECATED: PHP 8.4 deprecates trigger_error(E_USER_ERROR), whose fatal this needs.)
// The engine longjmps out of the extension's frames on this fatal: whatever they held is never
// released. The GC collects when its root buffer is full, so fill the buffer to one short of its
// threshold: the root presence_get() adds when it frees its temporary list starts a collection
// inside the call, and the collection runs this destructor there.
class Bomb {
    public $self;
    function __destruct() {
        static $once = false;
        if ($once) return;
        $once = true;
        $inside = in_array('presence_get', array_column(debug_backtrace(), 'function'), true);
        echo 'destructor runs inside presence_get(): ', $inside ? 'yes' : 'no', "\n";
        trigger_error('fatal from a destructor', E_USER_ERROR);
    }
}
register_shutdown_function(function () {
    var_dump(presence_get('r', 'c')['data'], count(presence_room('r')), presence_upsert('r', 'd', 2));
    var_dump(array_column(presence_room('r'), 'client_id'));
});
$t = gc_status()['threshold'];
while (gc_status()['roots'] < $t - 1) { $b = new Bomb; $b->self = $b; unset($b); }
presence_get('r', 'c');
echo "not reached\n";
?>
--EXPECTF--
destructor runs inside presence_get(): yes

Fatal error: fatal from a destructor in %s on line %d
array(1) {
  ["x"]=>
  int(1)
}
int(1)
bool(true)
array(2) {
  [0]=>
  string(1) "d"
  [1]=>
  string(1) "c"
}
