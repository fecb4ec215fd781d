<?php
// Served by php-fpm in the worker tests. Prints one JSON line: this worker's pid and what it saw.
header('Content-Type: application/json');
$q = $_GET;
if (isset($q['hold'])) {
	// Keeps this worker busy so concurrent requests land on the other workers.
	usleep((int) $q['hold'] * 1000);
}
$op = $q['op'] ?? 'read';
if ('write' === $op) {
	presence_upsert($q['room'], $q['client'], (int) $q['uid'], array('via' => 'fpm', 'pid' => getmypid()));
}
if ('fill' === $op) {
	for ($i = 0; $i < (int) $q['n']; $i++) {
		presence_upsert($q['room'], "c$i", $i, array('name' => str_repeat('n', 1000) . $i, 'list' => range(1, 20)));
	}
}
if ('oom' === $op || 'bomb' === $op) {
	// The pid first: this request dies with a fatal error before the usual line.
	echo json_encode(array('pid' => getmypid(), 'seen' => array())), "\n";
	flush();
}
if ('oom' === $op) {
	// Reading the room takes more memory than is left (but less than PHP's hard limit).
	ini_set('memory_limit', (string) (memory_get_usage(true) + (1 << 20)));
	presence_room($q['room']);
	exit;
}
if ('bomb' === $op) {
	require __DIR__ . '/bomb.inc';
	presence_get($q['room'], 'c1');
	exit;
}
$seen = array_column(presence_room($q['room']), 'client_id');
echo json_encode(array('pid' => getmypid(), 'seen' => $seen, 'php' => PHP_VERSION)), "\n";
