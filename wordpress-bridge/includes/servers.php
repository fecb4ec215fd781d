<?php
/**
 * More than one web server: each server records which presence store it uses, rarely, in a
 * network option, so Site Health can tell when presence is split (several servers each with a
 * shared-memory segment of their own, no Redis) or unavailable (Redis down), and what to do.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Network option holding the servers' records: key => host, store, label, backend, seen.
 */
const WP_PRESENCE_SERVERS_OPTION = 'wp_presence_servers';

/**
 * Seconds between two records of the same server.
 *
 * @since 1.2.0
 *
 * @return int
 */
function wp_presence_server_record_interval() {
	/**
	 * Filters how often (in seconds) a web server records itself in the `wp_presence_servers`
	 * network option. Site Health counts the servers seen within three intervals.
	 *
	 * @since 1.2.0
	 *
	 * @param int $seconds Default 300.
	 */
	return max( 10, (int) apply_filters( 'wp_presence_server_record_interval', 300 ) );
}

/**
 * This process's host name.
 *
 * @since 1.2.0
 *
 * @return string
 */
function wp_presence_server_host() {
	$host = function_exists( 'gethostname' ) ? (string) gethostname() : '';
	return '' === $host ? (string) php_uname( 'n' ) : $host;
}

/**
 * Which store this server uses: a key that is equal for servers sharing their presence, and a
 * label for people.
 *
 * The extension's store is identified by its segment file (path and inode) on this host; Redis by
 * its server and prefix; SQL by the database.
 *
 * @since 1.2.0
 *
 * @param WP_Presence_Store $store Store.
 * @return array|null key, label, backend; null for a store that does not answer.
 */
function wp_presence_server_store_identity( WP_Presence_Store $store ) {
	if ( $store instanceof WP_Presence_Store_Unavailable ) {
		return null;
	}
	$backend = $store->name();
	if ( $store instanceof WP_Presence_Store_Extension ) {
		$stats = $store->stats();
		$path  = isset( $stats['path'] ) ? (string) $stats['path'] : '';
		$inode = $path ? @fileinode( $path ) : false; // phpcs:ignore WordPress.PHP.NoSilencedErrors -- open_basedir may hide /dev/shm; the path alone still tells segments apart.
		$label = $path . ' on ' . wp_presence_server_host();
		$key   = 'extension|' . wp_presence_server_host() . '|' . $path . '|' . ( false === $inode ? '' : $inode );
	} elseif ( $store instanceof WP_Presence_Store_Redis ) {
		$label = 'Redis ' . $store->server() . ' (' . $store->prefix() . ')';
		$key   = 'redis|' . $store->server() . '|' . $store->prefix();
	} elseif ( $store instanceof WP_Presence_Store_SQL ) {
		$label = 'database ' . DB_NAME . ' on ' . DB_HOST;
		$key   = 'sql|' . DB_HOST . '|' . DB_NAME;
	} else {
		$label = $backend;
		$key   = 'other|' . $backend . '|' . get_class( $store );
	}
	return array(
		'key'     => $key,
		'label'   => $label,
		'backend' => $backend,
	);
}

/**
 * Whether this server recorded itself within the interval. Asked on every presence tick, so it
 * must not query: the extension keeps the mark in its own segment (in a namespace of its own, so
 * no site sees it), the other backends in a file in the temporary directory named after the
 * store (so a server that changes store records again at once).
 *
 * @since 1.2.0
 *
 * @param WP_Presence_Store $store Store.
 * @param bool              $set   Set the mark (after recording) instead of reading it.
 * @return bool Whether the mark is there (reading).
 */
function wp_presence_server_mark( WP_Presence_Store $store, $set = false ) {
	global $wpdb;
	$install  = substr( md5( DB_NAME . '|' . $wpdb->base_prefix . '|' . ABSPATH ), 0, 12 );
	$interval = wp_presence_server_record_interval();
	if ( $store instanceof WP_Presence_Store_Extension ) {
		$old = $store->get_namespace();
		$store->set_namespace( 'wp-' . $install . '-servers' );
		try {
			if ( $set ) {
				$store->upsert( 'server', 'recorded', 0, array(), $interval );
				return true;
			}
			return null !== $store->get( 'server', 'recorded' );
		} finally {
			$store->set_namespace( $old );
		}
	}
	$identity = wp_presence_server_store_identity( $store );
	$file     = trailingslashit( get_temp_dir() ) . 'wp-presence-server-' . $install . '-' . substr( md5( $identity ? $identity['key'] : '' ), 0, 12 ) . '.mark';
	if ( $set ) {
		return @touch( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- an unwritable temp dir only means recording more often.
	}
	$mtime = @filemtime( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a missing file is the normal "not yet" case.
	return false !== $mtime && time() - $mtime < $interval;
}

/**
 * The servers' records, newest first, without those older than a day.
 *
 * @since 1.2.0
 *
 * @return array[] key => host, store, label, backend, seen (unix time).
 */
function wp_presence_servers() {
	$servers = get_site_option( WP_PRESENCE_SERVERS_OPTION, array() );
	$servers = is_array( $servers ) ? $servers : array();
	$cutoff  = time() - DAY_IN_SECONDS;
	$out     = array();
	foreach ( $servers as $key => $server ) {
		if ( is_array( $server ) && isset( $server['host'], $server['store'], $server['label'], $server['seen'] ) && (int) $server['seen'] > $cutoff ) {
			$out[ (string) $key ] = $server;
		}
	}
	uasort(
		$out,
		static function ( $a, $b ) {
			return (int) $b['seen'] <=> (int) $a['seen'];
		}
	);
	return $out;
}

/**
 * Records this server in the network option unless it did within the interval. Never throws.
 *
 * @since 1.2.0
 *
 * @return bool Whether a record was written.
 */
function wp_presence_maybe_record_server() {
	try {
		$store = wp_presence_store();
		if ( $store instanceof WP_Presence_Store_Unavailable || wp_presence_server_mark( $store ) ) {
			return false;
		}
		$identity = wp_presence_server_store_identity( $store );
		if ( ! $identity ) {
			return false;
		}
		$host             = wp_presence_server_host();
		$servers          = wp_presence_servers();
		$key              = substr( md5( $host . '|' . $identity['key'] ), 0, 16 );
		$servers[ $key ]  = array(
			'host'    => $host,
			'store'   => $identity['key'],
			'label'   => $identity['label'],
			'backend' => $identity['backend'],
			'seen'    => time(),
		);
		update_site_option( WP_PRESENCE_SERVERS_OPTION, $servers );
		wp_presence_server_mark( $store, true );
		return true;
	} catch ( Throwable $e ) {
		return false;
	}
}

/**
 * Heartbeat hook: a web server that serves presence ticks checks, after the response, whether
 * it is due to record itself. Nothing is read or written for ticks without presence, nor in the
 * request's own time (the check runs on `shutdown`), nor from php-cli (not a web server).
 *
 * @since 1.2.0
 *
 * @param array $response Heartbeat response (returned as it is).
 * @param array $data     Heartbeat data.
 * @return array
 */
function wp_presence_heartbeat_record_server( $response, $data = array() ) {
	$presence = is_array( $data ) && ( isset( $data['wp-presence'] ) || isset( $data['presence-ping'] ) );
	if ( $presence && 'cli' !== PHP_SAPI && ! has_action( 'shutdown', 'wp_presence_maybe_record_server' ) ) {
		// Late on shutdown: after the response's own work (and outside its query counts).
		add_action( 'shutdown', 'wp_presence_maybe_record_server', 100 );
	}
	return $response;
}

/**
 * The servers seen recently, grouped by the store they use.
 *
 * @since 1.2.0
 *
 * @return array[] store key => label, hosts (string[]).
 */
function wp_presence_recent_stores() {
	$since  = time() - 3 * wp_presence_server_record_interval();
	$stores = array();
	foreach ( wp_presence_servers() as $server ) {
		if ( (int) $server['seen'] < $since ) {
			continue;
		}
		$key = (string) $server['store'];
		if ( ! isset( $stores[ $key ] ) ) {
			$stores[ $key ] = array(
				'label' => (string) $server['label'],
				'hosts' => array(),
			);
		}
		$stores[ $key ]['hosts'][] = (string) $server['host'];
	}
	return $stores;
}

/**
 * Site Health: whether every web server sees the same presence, and whether the store answers.
 *
 * @since 1.2.0
 *
 * @return array
 */
function wp_presence_servers_health_test() {
	$result = array(
		'label'       => '',
		'status'      => 'good',
		'badge'       => array(
			'label' => __( 'Performance', 'presence' ),
			'color' => 'blue',
		),
		'description' => '',
		'actions'     => '',
		'test'        => 'presence_servers',
	);
	$store = wp_presence_store();
	if ( $store instanceof WP_Presence_Store_Unavailable ) {
		$result['label']       = __( 'Presence is unavailable: its Redis server does not answer', 'presence' );
		$result['status']      = 'critical';
		$result['description'] = '<p>' . esc_html( wp_presence_backend_reason() ) . '</p><p>' . esc_html__( 'The admin keeps working without presence. Start Redis (or fix WP_PRESENCE_REDIS in wp-config.php); presence returns with the next request that reaches it.', 'presence' ) . '</p>';
		return $result;
	}
	wp_presence_maybe_record_server(); // This server counts too.
	$stores = wp_presence_recent_stores();
	if ( count( $stores ) > 1 ) {
		$items = '';
		foreach ( $stores as $store_info ) {
			$items .= '<li>' . esc_html(
				sprintf(
					/* translators: 1: a presence store, 2: comma separated host names. */
					__( '%1$s, used by %2$s', 'presence' ),
					$store_info['label'],
					implode( ', ', array_unique( $store_info['hosts'] ) )
				)
			) . '</li>';
		}
		$result['label']       = __( 'Presence is split between web servers', 'presence' );
		$result['status']      = 'critical';
		$result['description'] = '<p>' . esc_html(
			sprintf(
				/* translators: %d: number of presence stores. */
				_n( 'The web servers of this site keep presence in %d separate store:', 'The web servers of this site keep presence in %d separate stores:', count( $stores ), 'presence' ),
				count( $stores )
			)
		) . '</p><ul>' . $items . '</ul><p>' . esc_html__( 'Users served by one web server do not see the users served by another. Share one store: run Redis and add define( \'WP_PRESENCE_BACKEND\', \'redis\' ) and WP_PRESENCE_REDIS to wp-config.php on every web server.', 'presence' ) . '</p>';
		return $result;
	}
	$result['label'] = __( 'Every web server shares the same presence', 'presence' );
	$hosts           = $stores ? array_unique( reset( $stores )['hosts'] ) : array();
	$result['description'] = '<p>' . esc_html(
		sprintf(
			/* translators: %s: comma separated host names. */
			__( 'The web servers seen in the last minutes all use the same presence store: %s.', 'presence' ),
			implode( ', ', $hosts )
		)
	) . '</p>';
	return $result;
}
