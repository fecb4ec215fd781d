<?php
// Served by php-fpm in the cross-worker test. Prints one JSON line: this worker's pid and what it saw.
header('Content-Type: application/json');
$q = $_GET;
if (isset($q['hold'])) {
	// Keeps this worker busy so concurrent requests land on the other workers.
	usleep((int) $q['hold'] * 1000);
}
if (($q['op'] ?? '') === 'write') {
	presence_upsert($q['room'], $q['client'], (int) $q['uid'], array('via' => 'fpm', 'pid' => getmypid()));
}
$seen = array_column(presence_room($q['room']), 'client_id');
echo json_encode(array('pid' => getmypid(), 'seen' => $seen, 'php' => PHP_VERSION)), "\n";
