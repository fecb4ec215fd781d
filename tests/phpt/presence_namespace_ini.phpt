--TEST--
presence.namespace longer than 64 bytes is refused, not cut (sites sharing a prefix would merge); presence_namespace() returns a string
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_namespace_ini
presence.debug_clock=1
presence.namespace=site-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
echo (new ReflectionFunction('presence_namespace'))->getReturnType(), "\n";
foreach ([fn() => presence_upsert('r', 'c', 1), fn() => presence_namespace()] as $f) {
    try { $f(); echo "accepted\n"; } catch (PresenceException $e) { echo $e->getMessage(), "\n"; }
}
ini_set('presence.namespace', str_repeat('n', 64));
var_dump(presence_upsert('r', 'c', 1), strlen(presence_namespace()));
presence_set_namespace("bin\0ary");
var_dump(presence_namespace() === "bin\0ary");
?>
--EXPECT--
string
presence.namespace must be at most 64 bytes (got 78); it is never cut, since sites whose namespaces share a prefix would then share presence
presence.namespace must be at most 64 bytes (got 78); it is never cut, since sites whose namespaces share a prefix would then share presence
bool(true)
int(64)
bool(true)
