<?php
/**
 * benches/e2e/prime.php: brings COUNT bench users online through real Heartbeat requests, then writes
 * the request files the wrk script replays.
 *
 * Usage: php prime.php URL USERS.tsv COUNT OUT_PREFIX [ACKS.tsv]
 *
 * 1. Every user sends one Heartbeat tick (no ack, no seen), 4 at a time, like a browser opening the
 *    dashboard (or, for every 10th user, the block editor of a post). Replies give each user's `ack`.
 *    With ACKS.tsv (from prime-cli.php, which wrote the users' presence directly: thousands of
 *    users) the acks are read from it instead.
 * 2. One more tick per distinct screen reads the rooms' current versions.
 * 3. Writes OUT_PREFIX.steady (ack + seen = current versions: the steady state in which nothing
 *    changed since the client's last tick, so the server may skip the write and the rooms; the
 *    active posts' version in `seen[active_posts]` and `seen_active_posts`, as
 *    assets/presence.js sends it) and
 *    OUT_PREFIX.full (ack, no seen: every reply carries the full rooms, the worst case), one
 *    request per line: "cookie<TAB>body".
 * Prints a JSON summary (users seen in admin/online, reply bytes, errors) on stdout.
 *
 * @package Presence
 */

if ( $argc < 5 ) {
	fwrite( STDERR, "usage: php prime.php URL USERS.tsv COUNT OUT_PREFIX [ACKS.tsv]\n" );
	exit( 2 );
}
list( , $url, $tsv, $count, $prefix ) = $argv;
$acks_file = isset( $argv[5] ) ? $argv[5] : '';
$url   = rtrim( $url, '/' ) . '/wp-admin/admin-ajax.php';
$count = (int) $count;

$users = array();
foreach ( file( $tsv, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
	list( $uid, $cookie, $nonce, $post ) = explode( "\t", $line );
	$users[] = array(
		'uid'    => (int) $uid,
		'cookie' => $cookie,
		'nonce'  => $nonce,
		'post'   => (int) $post,
		'ack'    => '',
	);
	if ( count( $users ) >= $count ) {
		break;
	}
}
if ( count( $users ) < $count ) {
	fwrite( STDERR, "prime.php: only " . count( $users ) . " users in $tsv\n" );
	exit( 1 );
}

/** The Heartbeat body, form-encoded the way jQuery sends heartbeat data. */
function presence_bench_body( array $u, $seen ) {
	$screen = $u['post'] ? 'post' : 'dashboard';
	$ping   = array(
		'tab'      => sprintf( 'tab%06d', $u['uid'] ),
		'screen'   => $screen,
		'activity' => 'online',
		'delta'    => 1, // As assets/presence.js: it applies changes since the versions it has.
	);
	if ( $u['post'] ) {
		$ping['post_id'] = $u['post'];
		$ping['title']   = 'Bench post';
	}
	if ( '' !== $u['ack'] ) {
		$ping['ack'] = $u['ack'];
	}
	if ( $seen ) {
		// As assets/presence.js sends it: the active posts' version in seen[active_posts] (where the
		// bridge reads it) and, for older servers, also as seen_active_posts.
		if ( isset( $seen['active_posts'] ) ) {
			$ping['seen_active_posts'] = $seen['active_posts'];
		}
		if ( $seen ) {
			$ping['seen'] = $seen;
		}
	}
	$data = array(
		'wp-auth-check' => 'true',
		'wp-presence'   => $ping,
	);
	if ( $u['post'] ) {
		$data['wp-refresh-post-lock'] = array( 'post_id' => $u['post'] );
	}
	return http_build_query(
		array(
			'action'    => 'heartbeat',
			'_nonce'    => $u['nonce'],
			'screen_id' => $screen,
			'has_focus' => 'false',
			'interval'  => '60',
			'data'      => $data,
		),
		'',
		'&',
		PHP_QUERY_RFC3986
	);
}

/** Sends the given requests, $parallel at a time; returns [ index => [status, body, headers] ]. */
function presence_bench_send( $url, array $reqs, $parallel = 4 ) {
	$mh      = curl_multi_init();
	$results = array();
	$queue   = $reqs;
	$active  = array();
	$add     = static function () use ( &$queue, &$active, $mh, $url ) {
		$i = key( $queue );
		if ( null === $i ) {
			return false;
		}
		$r = $queue[ $i ];
		unset( $queue[ $i ] );
		$ch = curl_init( $url );
		$hdrs = '';
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_POST           => true,
				CURLOPT_POSTFIELDS     => $r['body'],
				CURLOPT_HTTPHEADER     => array( 'Cookie: ' . $r['cookie'], 'Content-Type: application/x-www-form-urlencoded' ),
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_TIMEOUT        => 60,
				CURLOPT_HEADERFUNCTION => static function ( $ch, $h ) use ( &$hdrs ) {
					$hdrs .= $h;
					return strlen( $h );
				},
			)
		);
		$active[ (int) $ch ] = array( $i, $ch, &$hdrs );
		curl_multi_add_handle( $mh, $ch );
		return true;
	};
	for ( $k = 0; $k < $parallel && $add(); $k++ ) {
	}
	do {
		curl_multi_exec( $mh, $running );
		while ( $info = curl_multi_info_read( $mh ) ) {
			$ch             = $info['handle'];
			list( $i, , $h ) = $active[ (int) $ch ];
			$results[ $i ]  = array( curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ), curl_multi_getcontent( $ch ), $h );
			unset( $active[ (int) $ch ] );
			curl_multi_remove_handle( $mh, $ch );
			curl_close( $ch );
			$add();
		}
		if ( $running || $active ) {
			curl_multi_select( $mh, 0.5 );
		}
	} while ( $running || $active || $queue );
	curl_multi_close( $mh );
	ksort( $results );
	return $results;
}

$errors = array();
$check  = static function ( $i, $res ) use ( &$errors, $users ) {
	list( $status, $body ) = $res;
	$json = json_decode( $body, true );
	if ( 200 !== $status || ! is_array( $json ) || ! empty( $json['nonces_expired'] ) || ! isset( $json['server_time'] ) ) {
		$errors[] = sprintf( 'user %d: HTTP %d %s', $users[ $i ]['uid'], $status, substr( $body, 0, 200 ) );
		return null;
	}
	return $json;
};

// 1. Every user comes online.
$t0 = microtime( true );
if ( '' !== $acks_file ) {
	$acks = array();
	foreach ( file( $acks_file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
		list( $uid, $ack ) = array_pad( explode( "\t", $line ), 2, '' );
		$acks[ (int) $uid ] = $ack;
	}
	foreach ( $users as $i => $u ) {
		$users[ $i ]['ack'] = isset( $acks[ $u['uid'] ] ) ? $acks[ $u['uid'] ] : '';
	}
} else {
	$reqs = array();
	foreach ( $users as $i => $u ) {
		$reqs[ $i ] = array(
			'cookie' => $u['cookie'],
			'body'   => presence_bench_body( $u, null ),
		);
	}
	foreach ( presence_bench_send( $url, $reqs ) as $i => $res ) {
		$json = $check( $i, $res );
		if ( $json && isset( $json['wp-presence']['ack'] ) ) {
			$users[ $i ]['ack'] = (string) $json['wp-presence']['ack'];
		}
	}
}
$prime_seconds = microtime( true ) - $t0;

// 2. Current versions of every room, read by one user of each screen (acked, so nothing is written).
$probe = array();
foreach ( $users as $i => $u ) {
	$key = $u['post'] ? 'post' . $u['post'] : 'dashboard';
	if ( ! isset( $probe[ $key ] ) ) {
		$probe[ $key ] = $i;
	}
}
$seen_by_key = array();
$summary     = array(
	'users'              => $count,
	'primed_by'          => '' !== $acks_file ? 'cli' : 'http',
	'prime_seconds'      => round( $prime_seconds, 2 ),
	'online_in_reply'    => null,
	'active_posts'       => null,
	'full_reply_bytes'   => null,
	'backend'            => null,
	'queries_first_tick' => null,
);
$reqs = array();
foreach ( $probe as $key => $i ) {
	$reqs[ $key ] = array(
		'cookie' => $users[ $i ]['cookie'],
		'body'   => presence_bench_body( $users[ $i ], null ),
	);
}
foreach ( presence_bench_send( $url, $reqs ) as $key => $res ) {
	$json = $check( $probe[ $key ], $res );
	$seen = array();
	if ( $json && isset( $json['wp-presence']['rooms'] ) && is_array( $json['wp-presence']['rooms'] ) ) {
		foreach ( $json['wp-presence']['rooms'] as $room => $r ) {
			if ( isset( $r['version'] ) ) {
				$seen[ $room ] = $r['version'];
			}
		}
	}
	if ( $json && isset( $json['wp-presence']['active_posts']['version'] ) ) {
		$seen['active_posts'] = $json['wp-presence']['active_posts']['version'];
	}
	$seen_by_key[ $key ] = $seen;
	if ( 'dashboard' === $key ) {
		$summary['full_reply_bytes'] = strlen( $res[1] );
		if ( isset( $json['wp-presence']['rooms']['admin/online']['users'] ) ) {
			$summary['online_in_reply'] = count( $json['wp-presence']['rooms']['admin/online']['users'] );
			$summary['online_total']    = isset( $json['wp-presence']['rooms']['admin/online']['total'] ) ? (int) $json['wp-presence']['rooms']['admin/online']['total'] : null;
		}
		if ( isset( $json['wp-presence']['active_posts']['posts'] ) ) {
			$summary['active_posts'] = count( $json['wp-presence']['active_posts']['posts'] );
		}
		if ( preg_match( '/^X-Bench-Backend:\s*(\S+)/mi', $res[2], $m ) ) {
			$summary['backend'] = $m[1];
		}
	}
}
$summary['seen'] = $seen_by_key;

// 3. The request files.
$steady = fopen( $prefix . '.steady', 'w' );
$full   = fopen( $prefix . '.full', 'w' );
foreach ( $users as $u ) {
	$key = $u['post'] ? 'post' . $u['post'] : 'dashboard';
	fwrite( $steady, $u['cookie'] . "\t" . presence_bench_body( $u, $seen_by_key[ $key ] ?? null ) . "\n" );
	fwrite( $full, $u['cookie'] . "\t" . presence_bench_body( $u, null ) . "\n" );
}
fclose( $steady );
fclose( $full );

// 4. The acks are the server's: a steady request from a few users is answered with the same ack.
$sample = array();
foreach ( array_slice( array_keys( $users ), 0, 8 ) as $i ) {
	$u            = $users[ $i ];
	$key          = $u['post'] ? 'post' . $u['post'] : 'dashboard';
	$sample[ $i ] = array(
		'cookie' => $u['cookie'],
		'body'   => presence_bench_body( $u, $seen_by_key[ $key ] ?? null ),
	);
}
$matched = 0;
foreach ( presence_bench_send( $url, $sample ) as $i => $res ) {
	$json = $check( $i, $res );
	if ( $json && isset( $json['wp-presence']['ack'] ) && (string) $json['wp-presence']['ack'] === $users[ $i ]['ack'] ) {
		++$matched;
	}
}
$summary['acks_matched'] = $matched . '/' . count( $sample );

$summary['errors'] = count( $errors );
if ( $errors ) {
	$summary['first_errors'] = array_slice( $errors, 0, 3 );
}
echo json_encode( $summary ), "\n";
exit( $errors ? 1 : 0 );
