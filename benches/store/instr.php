<?php
/**
 * One operation N times, for counting its instructions under callgrind (benches/store/run.sh):
 * counts do not move with other load on the machine, unlike times.
 *
 * Usage: php … instr.php <op> <n>    (op "none" sets up and does nothing: the base to subtract)
 */
list( , $op, $n ) = $argv;
$n = (int) $n;
$a = array( 'screen' => 'dashboard', 'post_id' => 0, 'status' => 'online' );
$b = array( 'screen' => 'post', 'post_id' => 42, 'status' => 'online' );
presence_clear();
for ( $i = 0; $i < 5000; $i++ ) {
	presence_upsert( 'admin/online', "tab-$i", $i % 997, $a, 3600 );
}
for ( $i = 0; $i < 40; $i++ ) {
	presence_upsert( 'postType/post:1', "tab-$i", $i % 997, $a, 3600 );
}
$v = presence_room_version( 'admin/online' );
$has_changes = function_exists( 'presence_changes' );
for ( $i = 0; $i < $n; $i++ ) {
	switch ( $op ) {
		case 'read_40':
			presence_room( 'postType/post:1' );
			break;
		case 'read_5000':
			presence_room( 'admin/online' );
			break;
		case 'refresh_40':
			presence_upsert( 'postType/post:1', 'tab-1', 1, $a, 3600 );
			break;
		case 'change_40':
			presence_upsert( 'postType/post:1', 'tab-1', 1, $i & 1 ? $b : $a, 3600 );
			break;
		case 'refresh_5000':
			presence_upsert( 'admin/online', 'tab-' . ( $i * 7 % 5000 ), ( $i * 7 % 5000 ) % 997, $a, 3600 );
			break;
		case 'change_5000':
			presence_upsert( 'admin/online', 'tab-' . ( $i * 7 % 5000 ), ( $i * 7 % 5000 ) % 997, $i & 1 ? $b : $a, 3600 );
			break;
		case 'version_5000':
			presence_room_version( 'admin/online' );
			break;
		case 'changes_none_5000':
			if ( $has_changes ) {
				presence_changes( 'admin/online', $v );
			}
			break;
		case 'top20_5000':
			if ( function_exists( 'presence_room_top' ) ) {
				presence_room_top( 'admin/online', 20 );
			}
			break;
		case 'none':
			break;
	}
}
