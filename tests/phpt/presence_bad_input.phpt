--TEST--
Bad input raises TypeError or ValueError and leaves stored entries untouched
--EXTENSIONS--
presence
--INI--
presence.shm_path=/dev/shm/presence-phpt-presence_bad_input
presence.debug_clock=1
--FILE--
<?php
require __DIR__ . '/fresh.inc';
presence_upsert('r', 'keep', 1, ['k' => 'v']);
$before = presence_room('r');
$fp = fopen('php://memory', 'r');
$ref = 1; $withRef = ['a' => &$ref];
$deep = []; for ($i = 0; $i < 9; $i++) { $deep = [$deep]; }
$cases = [
    'empty room' => fn() => presence_upsert('', 'c', 1),
    'empty client' => fn() => presence_upsert('r', '', 1),
    'room too long' => fn() => presence_upsert(str_repeat('r', 256), 'c', 1),
    'client too long' => fn() => presence_upsert('r', str_repeat('c', 256), 1),
    'negative user' => fn() => presence_upsert('r', 'keep', -1),
    'ttl zero' => fn() => presence_upsert('r', 'keep', 1, [], 0),
    'ttl too big' => fn() => presence_upsert('r', 'keep', 1, [], 86401),
    'object in data' => fn() => presence_upsert('r', 'keep', 1, ['o' => new stdClass]),
    'closure in data' => fn() => presence_upsert('r', 'keep', 1, [fn() => 1]),
    'resource in data' => fn() => presence_upsert('r', 'keep', 1, ['f' => $fp]),
    'reference in data' => fn() => presence_upsert('r', 'keep', 1, $withRef),
    'too deep' => fn() => presence_upsert('r', 'keep', 1, $deep),
    'too large' => fn() => presence_upsert('r', 'keep', 1, ['s' => str_repeat('x', 17000)]),
    'user not int' => fn() => presence_upsert('r', 'keep', 'one'),
    'data not array' => fn() => presence_upsert('r', 'keep', 1, 'data'),
    'room not string' => fn() => presence_upsert([], 'keep', 1),
    'negative max_age' => fn() => presence_room('r', -1),
    'namespace too long' => fn() => presence_set_namespace(str_repeat('n', 65)),
    'negative user remove' => fn() => presence_remove_user(-3),
    'negative since' => fn() => presence_changes('r', -1),
    'prefix too long' => fn() => presence_room('r', null, str_repeat('p', 256)),
];
foreach ($cases as $name => $f) {
    try { $f(); echo "$name: no error\n"; }
    catch (Throwable $e) { printf("%s: %s %s\n", $name, get_class($e), $e->getMessage()); }
}
var_dump(presence_room('r') === $before);
?>
--EXPECTF--
empty room: ValueError presence_upsert(): Argument #1 ($room) must not be empty
empty client: ValueError presence_upsert(): Argument #2 ($client_id) must not be empty
room too long: ValueError presence_upsert(): Argument #1 ($room) must be at most 255 bytes
client too long: ValueError presence_upsert(): Argument #2 ($client_id) must be at most 255 bytes
negative user: ValueError presence_upsert(): Argument #3 ($user_id) must be greater than or equal to 0
ttl zero: ValueError presence_upsert(): Argument #5 ($ttl) must be between 1 and 86400 seconds (check presence.default_ttl)
ttl too big: ValueError presence_upsert(): Argument #5 ($ttl) must be between 1 and 86400 seconds (check presence.default_ttl)
object in data: ValueError presence_upsert(): Argument #4 ($data) must contain only scalars and arrays, not objects
closure in data: ValueError presence_upsert(): Argument #4 ($data) must contain only scalars and arrays, not objects
resource in data: ValueError presence_upsert(): Argument #4 ($data) must contain only scalars and arrays, not resources
reference in data: ValueError presence_upsert(): Argument #4 ($data) must not contain references
too deep: ValueError presence_upsert(): Argument #4 ($data) must not be nested deeper than 8 levels
too large: ValueError presence_upsert(): Argument #4 ($data) must encode to at most 16384 bytes
user not int: TypeError %s
data not array: TypeError %s
room not string: TypeError %s
negative max_age: ValueError presence_room(): Argument #2 ($max_age) must be greater than or equal to 0
namespace too long: ValueError presence_set_namespace(): Argument #1 ($namespace) must be at most 64 bytes
negative user remove: ValueError presence_remove_user(): Argument #1 ($user_id) must be greater than or equal to 0
negative since: ValueError presence_changes(): Argument #2 ($since) must be greater than or equal to 0
prefix too long: ValueError presence_room(): Argument #3 ($client_prefix) must be at most 255 bytes
bool(true)
