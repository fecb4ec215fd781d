<?php
/**
 * Backend selection and the per-site namespace.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The active presence store.
 *
 * Chosen once per request: the `presence` extension when it is loaded, otherwise the SQL table.
 * `WP_PRESENCE_BACKEND` ('extension', 'sql' or 'redis') forces a choice; 'redis' connects to the
 * server named by the `WP_PRESENCE_REDIS` constant, and when it cannot, presence is unavailable
 * for the request (WP_Presence_Store_Unavailable; SQL only when phpredis is missing). The
 * `wp_presence_store` filter can supply another implementation.
 *
 * @since 1.0.0
 *
 * @param bool $reset Forget the current choice (tests).
 * @return WP_Presence_Store
 */
function wp_presence_store( $reset = false ) {
	static $store = null;
	if ( $reset ) {
		$store                              = null;
		$GLOBALS['wp_presence_backend_why'] = array( '', '' );
	}
	if ( null !== $store ) {
		return $store;
	}

	// Reasons are kept as codes and translated by wp_presence_backend_reason(): the store may be
	// needed before `init`, when translations must not load yet.
	$forced = defined( 'WP_PRESENCE_BACKEND' ) ? (string) WP_PRESENCE_BACKEND : '';
	$detail = '';
	if ( 'sql' === $forced ) {
		$store = new WP_Presence_Store_SQL();
		$why   = 'forced_sql';
	} elseif ( 'redis' === $forced ) {
		if ( ! WP_Presence_Store_Redis::is_available() ) {
			$store = new WP_Presence_Store_SQL();
			$why   = 'redis_missing';
		} else {
			try {
				$store = new WP_Presence_Store_Redis();
				$store->now(); // Probe: connected, authenticated and the script runs.
				$why    = 'redis';
				$detail = $store->server();
			} catch ( Throwable $e ) {
				// Not the SQL table: see WP_Presence_Store_Unavailable.
				$store  = new WP_Presence_Store_Unavailable( 'redis', $e->getMessage() );
				$why    = 'redis_unreachable';
				$detail = $e->getMessage();
			}
		}
	} elseif ( WP_Presence_Store_Extension::is_available() ) {
		$problem = wp_presence_extension_problem();
		$detail  = (string) $problem;
		if ( null === $problem ) {
			$store = new WP_Presence_Store_Extension();
			$why   = 'extension';
		} else {
			$store = new WP_Presence_Store_SQL();
			$why   = 'extension_broken';
		}
	} else {
		$store = new WP_Presence_Store_SQL();
		$why   = 'extension' === $forced ? 'forced_extension_missing' : 'extension_missing';
	}

	/**
	 * Filters the presence store, for example to plug in a Redis backend.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_Presence_Store $store The store chosen by the bridge.
	 */
	$filtered = apply_filters( 'wp_presence_store', $store );
	if ( $filtered instanceof WP_Presence_Store && $filtered !== $store ) {
		$store = $filtered;
		$why   = 'filter';
	}
	$GLOBALS['wp_presence_backend_why'] = array( $why, $detail );
	if ( $store instanceof WP_Presence_Store_SQL ) {
		wp_presence_maybe_install(); // First use without activation (e.g. a must-use install).
	}
	$store->set_namespace( wp_presence_namespace() );
	return $store;
}

/**
 * Probes the extension's shared-memory store.
 *
 * @since 1.0.0
 *
 * @return string|null The error message, or null when the store answers.
 */
function wp_presence_extension_problem() {
	try {
		presence_time();
		return null;
	} catch ( Throwable $e ) {
		return $e->getMessage();
	}
}

/**
 * Name of the active backend.
 *
 * @since 1.0.0
 *
 * @return string 'extension', 'sql', 'redis' (or another store's name).
 */
function wp_presence_backend() {
	return wp_presence_store()->name();
}

/**
 * Why the active backend was chosen, as a translated sentence.
 *
 * @since 1.0.0
 *
 * @return string
 */
function wp_presence_backend_reason() {
	$store = wp_presence_store();
	list( $why, $detail ) = isset( $GLOBALS['wp_presence_backend_why'] ) ? $GLOBALS['wp_presence_backend_why'] : array( '', '' );
	switch ( $why ) {
		case 'forced_sql':
			return __( 'The SQL backend is forced by the WP_PRESENCE_BACKEND constant.', 'presence' );
		case 'extension':
			return __( 'The presence PHP extension is loaded: presence lives in shared memory and needs no SQL.', 'presence' );
		case 'extension_broken':
			/* translators: %s: the extension's error message. */
			return sprintf( __( 'The presence PHP extension is loaded but its store cannot be used (%s); using the SQL table instead.', 'presence' ), $detail );
		case 'forced_extension_missing':
			return __( 'WP_PRESENCE_BACKEND asks for the extension, but the presence PHP extension is not loaded; using the SQL table instead.', 'presence' );
		case 'extension_missing':
			return __( 'The presence PHP extension is not loaded (add extension=libpresence.so to php.ini), so presence is stored in a database table.', 'presence' );
		case 'redis':
			/* translators: %s: Redis server, host:port/database. */
			return sprintf( __( 'WP_PRESENCE_BACKEND selects Redis: presence lives on the Redis server %s, shared by every web server, and needs no SQL.', 'presence' ), $detail );
		case 'redis_missing':
			return __( 'WP_PRESENCE_BACKEND asks for Redis, but the phpredis extension (Redis class) is not loaded; using the SQL table instead.', 'presence' );
		case 'redis_unreachable':
			/* translators: %s: the connection error. */
			return sprintf( __( 'WP_PRESENCE_BACKEND asks for Redis, but the Redis server cannot be used (%s). Presence is unavailable until it answers again (Heartbeat replies carry presence_unavailable); it comes back by itself, without restarting PHP.', 'presence' ), $detail );
		case 'filter':
			/* translators: %s: backend name. */
			return sprintf( __( 'The %s backend is supplied by the wp_presence_store filter.', 'presence' ), $store->name() );
	}
	return '';
}

/**
 * The namespace of a site: a short hash of this install (DB_NAME, base table prefix, ABSPATH)
 * plus the blog id, so neither two installs sharing a store nor two sites of a network see
 * each other's presence.
 *
 * @since 1.0.0
 *
 * @param int|null $blog_id Blog id; the current blog by default.
 * @return string At most 64 bytes.
 */
function wp_presence_namespace( $blog_id = null ) {
	global $wpdb;
	if ( null === $blog_id ) {
		$blog_id = get_current_blog_id();
	}
	$install = substr( md5( DB_NAME . '|' . $wpdb->base_prefix . '|' . ABSPATH ), 0, 12 );
	$ns      = 'wp-' . $install . '-' . (int) $blog_id;

	/**
	 * Filters the presence namespace of a site.
	 *
	 * @since 1.0.0
	 *
	 * @param string $ns      Namespace (at most 64 bytes).
	 * @param int    $blog_id Blog id.
	 */
	return substr( (string) apply_filters( 'wp_presence_namespace', $ns, (int) $blog_id ), 0, 64 );
}

/**
 * Re-applies the namespace after switch_to_blog() / restore_current_blog().
 *
 * @since 1.0.0
 *
 * @param int $new_blog_id Blog switched to.
 * @return void
 */
function wp_presence_switch_blog( $new_blog_id ) {
	wp_presence_store()->set_namespace( wp_presence_namespace( (int) $new_blog_id ) );
}

/**
 * Runs a callback in another site's namespace.
 *
 * @since 1.0.0
 *
 * @param int      $blog_id  Blog id.
 * @param callable $callback Callback.
 * @return mixed The callback's result.
 */
function wp_presence_in_blog( $blog_id, $callback ) {
	$store = wp_presence_store();
	$old   = $store->get_namespace();
	$store->set_namespace( wp_presence_namespace( (int) $blog_id ) );
	try {
		return call_user_func( $callback );
	} finally {
		$store->set_namespace( $old );
	}
}

/**
 * Creates or upgrades the SQL table when needed (activation, new version, first use).
 *
 * The table is created even on the extension backend, so that the fallback works at once if
 * the extension goes away.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_maybe_install() {
	if ( ! WP_Presence_Store_SQL::is_installed() ) {
		WP_Presence_Store_SQL::install();
	}
}

/**
 * On admin page loads (not Ajax): creates or upgrades the table, and restores a missing cron event.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_admin_init_upgrade() {
	if ( wp_doing_ajax() ) {
		return;
	}
	wp_presence_maybe_install();
	if ( is_main_site() && ! wp_next_scheduled( 'wp_presence_sweep' ) ) {
		wp_schedule_event( time() + 60, 'wp_presence_minute', 'wp_presence_sweep' );
	}
}

/**
 * Plugin activation: table and cron event.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_activate() {
	WP_Presence_Store_SQL::install();
	if ( ! wp_next_scheduled( 'wp_presence_sweep' ) ) {
		wp_schedule_event( time() + 60, 'wp_presence_minute', 'wp_presence_sweep' );
	}
}

/**
 * Plugin deactivation: removes the cron event.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_deactivate() {
	wp_clear_scheduled_hook( 'wp_presence_sweep' );
}

/**
 * Adds a one-minute cron schedule.
 *
 * @since 1.0.0
 *
 * @param array $schedules Schedules.
 * @return array
 */
function wp_presence_cron_schedules( $schedules ) {
	$schedules['wp_presence_minute'] = array(
		'interval' => 60,
		'display'  => __( 'Every minute (presence cleanup)', 'presence' ),
	);
	return $schedules;
}

/**
 * Cron: reclaims expired entries.
 *
 * @since 1.0.0
 *
 * @return int Entries reclaimed.
 */
function wp_presence_run_sweep() {
	try {
		return wp_presence_store()->sweep();
	} catch ( Throwable $e ) {
		return 0;
	}
}
