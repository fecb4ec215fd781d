<?php
/**
 * The recording switch (site and network) and the per-feature switches.
 *
 * Recording off means nothing is written, nothing is shown, and the stored presence of the site
 * (or of every site of the network) is cleared when the switch is turned off. The checks here are
 * on every Heartbeat, so they read autoloaded options only: no query on a single site.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Site option: '1' (default) records presence on this site, '0' does not.
 */
const WP_PRESENCE_RECORDING_OPTION = 'wp_presence_recording';

/**
 * Network option (multisite): '1' (default) lets the network's sites record, '0' stops them all.
 */
const WP_PRESENCE_NETWORK_RECORDING_OPTION = 'wp_presence_network_recording';

/**
 * Site option: the feature switches, `array( feature => bool )`.
 */
const WP_PRESENCE_FEATURES_OPTION = 'wp_presence_features';

/**
 * The value of an option of the current site, without the query get_option() runs for an option
 * that is missing from the autoloaded set.
 *
 * The bridge stores its options autoloaded (wp_presence_settings_autoload() repairs one that is
 * not), so an option outside the autoloaded set has never been saved: its default applies.
 *
 * @since 1.1.0
 *
 * @param string $name    Option name.
 * @param mixed  $default Value when the option has never been saved.
 * @return mixed
 */
function wp_presence_autoloaded_option( $name, $default ) {
	$all = wp_load_alloptions();
	if ( ! is_array( $all ) || ! array_key_exists( $name, $all ) ) {
		return $default;
	}
	return get_option( $name, $default );
}

/**
 * Whether this site's own recording switch is on (the stored option, no filter).
 *
 * @since 1.1.0
 *
 * @return bool
 */
function wp_presence_site_recording_switch() {
	return '0' !== (string) wp_presence_autoloaded_option( WP_PRESENCE_RECORDING_OPTION, '1' );
}

/**
 * Seconds the network switch is remembered in the store (see wp_presence_network_recording_switch()).
 */
const WP_PRESENCE_NETWORK_SWITCH_TTL = 60;

/**
 * Whether the network's recording switch is on (the stored network option, no filter).
 *
 * Always true on a single site. A network option is not autoloaded (core primes only its own), so
 * every request would pay a query for it; on the extension and Redis backends its value is
 * therefore also kept in the store, in the network's own namespace, for a minute: a Heartbeat reads
 * it there without SQL, and the option is read once a minute for the whole network. Changing the
 * switch through update_network_option() updates the stored copy at once.
 *
 * @since 1.1.0
 *
 * @param int|null $network_id Network; the current one by default.
 * @return bool
 */
function wp_presence_network_recording_switch( $network_id = null ) {
	if ( ! is_multisite() ) {
		return true;
	}
	$network_id = $network_id ? (int) $network_id : get_current_network_id();
	$cached     = wp_presence_network_switch_cache( $network_id );
	if ( null !== $cached ) {
		return $cached;
	}
	$on = '0' !== (string) get_network_option( $network_id, WP_PRESENCE_NETWORK_RECORDING_OPTION, '1' );
	wp_presence_network_switch_cache( $network_id, $on );
	return $on;
}

/**
 * Reads, or with `$on` writes, the store's copy of a network's switch. Only on stores that
 * answer without SQL; on the SQL store the option itself is the cheaper read.
 *
 * @since 1.1.0
 *
 * @param int       $network_id Network.
 * @param bool|null $on         Value to store; null to read.
 * @return bool|null The stored value; null when there is none (or no store to keep it in).
 */
function wp_presence_network_switch_cache( $network_id, $on = null ) {
	try {
		$store = wp_presence_store();
		if ( 'sql' === $store->name() ) {
			return null;
		}
		$old = $store->get_namespace();
		$store->set_namespace( wp_presence_network_namespace( $network_id ) );
		try {
			if ( null === $on ) {
				$entry = $store->get( '_network', 'recording' );
				return $entry && isset( $entry['data']['on'] ) ? (bool) $entry['data']['on'] : null;
			}
			$store->upsert( '_network', 'recording', 0, array( 'on' => (bool) $on ), WP_PRESENCE_NETWORK_SWITCH_TTL );
			return (bool) $on;
		} finally {
			$store->set_namespace( $old );
		}
	} catch ( Throwable $e ) {
		return null; // The option decides.
	}
}

/**
 * The namespace of a network's own entries (no site has it: blog ids are never 0).
 *
 * @since 1.1.0
 *
 * @param int $network_id Network.
 * @return string
 */
function wp_presence_network_namespace( $network_id ) {
	return substr( wp_presence_namespace( 0 ) . '-n' . (int) $network_id, 0, 64 );
}

if ( ! function_exists( 'wp_presence_recording_enabled' ) ) {
	/**
	 * Whether presence is recorded (and shown) on the current site: its own switch and the
	 * network's, each through its filter. The network being off wins.
	 *
	 * @since 1.1.0
	 *
	 * @return bool
	 */
	function wp_presence_recording_enabled() {
		/**
		 * Filters whether presence is recorded on the current site.
		 *
		 * @since 1.1.0
		 *
		 * @param bool $enabled The site's switch (Settings → General, `wp presence recording`).
		 */
		$site = (bool) apply_filters( 'wp_presence_recording_enabled', wp_presence_site_recording_switch() );
		if ( ! $site ) {
			return false; // Off either way: the network switch need not be read.
		}

		/**
		 * Filters whether presence is recorded on the network. False stops every site of the
		 * network, whatever its own switch says.
		 *
		 * @since 1.1.0
		 *
		 * @param bool $enabled The network's switch (always true on a single site).
		 */
		return (bool) apply_filters( 'wp_presence_network_recording_enabled', wp_presence_network_recording_switch() );
	}
}

/**
 * Features with a switch, and their defaults.
 *
 * @since 1.1.0
 *
 * @return bool[] Feature => default.
 */
function wp_presence_feature_defaults() {
	return array(
		'post-locks' => true,
		'front-end'  => true,
		'invisible'  => true,
	);
}

/**
 * The stored feature switches, every known feature present.
 *
 * @since 1.1.0
 *
 * @return bool[] Feature => on.
 */
function wp_presence_feature_switches() {
	$stored   = wp_presence_autoloaded_option( WP_PRESENCE_FEATURES_OPTION, array() );
	$stored   = is_array( $stored ) ? $stored : array();
	$switches = array();
	foreach ( wp_presence_feature_defaults() as $feature => $default ) {
		$switches[ $feature ] = isset( $stored[ $feature ] ) ? (bool) $stored[ $feature ] : $default;
	}
	return $switches;
}

if ( ! function_exists( 'wp_presence_feature_enabled' ) ) {
	/**
	 * Whether a feature is switched on: `post-locks` (editors' post locks appear in the post's
	 * room), `front-end` (presence on the public site's admin bar), `invisible` (users may hide).
	 *
	 * This is the feature's own switch; a feature only acts while recording is on as well.
	 * Features without a switch are on.
	 *
	 * @since 1.1.0
	 *
	 * @param string $feature Feature name.
	 * @return bool
	 */
	function wp_presence_feature_enabled( $feature ) {
		$feature  = (string) $feature;
		$switches = wp_presence_feature_switches();
		$enabled  = isset( $switches[ $feature ] ) ? $switches[ $feature ] : true;

		/**
		 * Filters whether a presence feature is on.
		 *
		 * @since 1.1.0
		 *
		 * @param bool   $enabled The stored switch (Settings → Presence); true for features without one.
		 * @param string $feature Feature: 'post-locks', 'front-end', 'invisible', or another.
		 */
		return (bool) apply_filters( 'wp_presence_feature_enabled', $enabled, $feature );
	}
}

/**
 * Whether a Heartbeat handler may record and reply: recording is on, a front-end Heartbeat only
 * with the `front-end` feature, and the handler's own feature when it names one.
 *
 * Called first in every Heartbeat handler, before the store is touched.
 *
 * @since 1.1.0
 *
 * @param string $screen_id Screen id Heartbeat reports ('front' on the public site).
 * @param string $feature   The handler's feature, or ''.
 * @return bool
 */
function wp_presence_heartbeat_recording( $screen_id, $feature = '' ) {
	if ( ! wp_presence_recording_enabled() ) {
		return false;
	}
	if ( is_scalar( $screen_id ) && 'front' === (string) $screen_id && ! wp_presence_feature_enabled( 'front-end' ) ) {
		return false;
	}
	return '' === $feature || wp_presence_feature_enabled( $feature );
}

/**
 * Whether the presence UI may show in this request: recording is on, and on the public site the
 * `front-end` feature is on too.
 *
 * @since 1.1.0
 *
 * @return bool
 */
function wp_presence_ui_enabled() {
	return wp_presence_recording_enabled() && ( is_admin() || wp_presence_feature_enabled( 'front-end' ) );
}

/**
 * Whether users may choose to be invisible. When not, a stored `invisible` preference reads as
 * automatic and cannot be chosen.
 *
 * @since 1.1.0
 *
 * @return bool
 */
function wp_presence_invisible_allowed() {
	return wp_presence_feature_enabled( 'invisible' );
}

/**
 * Removes every entry of one site (both its namespaces), revisions of the stale-screen warning
 * included.
 *
 * @since 1.1.0
 *
 * @param int $blog_id Blog id.
 * @return int Entries removed.
 */
function wp_presence_clear_blog( $blog_id ) {
	try {
		return (int) wp_presence_in_blog( (int) $blog_id, 'wp_presence_clear_site' );
	} catch ( Throwable $e ) {
		return 0; // The store is gone: nothing to clear that could still be read.
	}
}

/**
 * Clears the site's stored presence when its switch goes from on to off.
 *
 * Hooked to `update_option_wp_presence_recording`.
 *
 * @since 1.1.0
 *
 * @param mixed $old_value Old value.
 * @param mixed $value     New value.
 * @return void
 */
function wp_presence_on_recording_updated( $old_value, $value ) {
	if ( '0' === (string) $value && '0' !== (string) $old_value ) {
		wp_presence_clear_blog( get_current_blog_id() );
	}
}

/**
 * Clears the site's stored presence when the switch is first saved as off.
 *
 * Hooked to `add_option_wp_presence_recording`.
 *
 * @since 1.1.0
 *
 * @param string $option Option name.
 * @param mixed  $value  Value.
 * @return void
 */
function wp_presence_on_recording_added( $option, $value ) {
	wp_presence_on_recording_updated( '1', $value );
}

/**
 * Clears every site of a network when the network switch goes from on to off.
 *
 * Hooked to `update_site_option_wp_presence_network_recording`.
 *
 * @since 1.1.0
 *
 * @param string $option     Option name.
 * @param mixed  $value      New value.
 * @param mixed  $old_value  Old value.
 * @param int    $network_id Network id.
 * @return void
 */
function wp_presence_on_network_recording_updated( $option, $value, $old_value, $network_id ) {
	if ( ! is_multisite() ) {
		return;
	}
	wp_presence_network_switch_cache( (int) $network_id, '0' !== (string) $value );
	if ( '0' !== (string) $value || '0' === (string) $old_value ) {
		return;
	}
	$offset = 0;
	do {
		// In batches: a large network's ids are not all held at once.
		$ids = get_sites(
			array(
				'network_id' => (int) $network_id,
				'fields'     => 'ids',
				'number'     => 500,
				'offset'     => $offset,
			)
		);
		foreach ( $ids as $blog_id ) {
			wp_presence_clear_blog( (int) $blog_id );
		}
		$offset += 500;
	} while ( count( $ids ) === 500 );
}

/**
 * Clears the network when its switch is first saved as off.
 *
 * Hooked to `add_site_option_wp_presence_network_recording`.
 *
 * @since 1.1.0
 *
 * @param string $option     Option name.
 * @param mixed  $value      Value.
 * @param int    $network_id Network id.
 * @return void
 */
function wp_presence_on_network_recording_added( $option, $value, $network_id ) {
	wp_presence_on_network_recording_updated( $option, $value, '1', $network_id );
}

/**
 * Turns a switch on or off: the site's, or with `$network` the network's.
 *
 * @since 1.1.0
 *
 * @param bool $on      On.
 * @param bool $network The network switch (multisite only).
 * @return bool False when asked for the network switch on a single site.
 */
function wp_presence_set_recording( $on, $network = false ) {
	$value = $on ? '1' : '0';
	if ( $network ) {
		if ( ! is_multisite() ) {
			return false;
		}
		update_network_option( null, WP_PRESENCE_NETWORK_RECORDING_OPTION, $value );
		return true;
	}
	update_option( WP_PRESENCE_RECORDING_OPTION, $value, true );
	return true;
}

/**
 * With recording off, the REST routes record and show nothing: a write (POST, DELETE) answers
 * 501 `rest_presence_recording_disabled`, as presence-api does; a read answers an empty list.
 *
 * Runs after the route's argument validation and permission check (`rest_dispatch_request`),
 * so who may not use a route still gets 401/403 and learns nothing about the switch.
 *
 * @since 1.1.0
 *
 * @param mixed           $result  Null, or a response another filter already decided.
 * @param WP_REST_Request $request Request.
 * @return mixed
 */
function wp_presence_rest_recording_gate( $result, $request ) {
	if ( null !== $result || ! $request instanceof WP_REST_Request || 0 !== strpos( $request->get_route(), '/wp-presence/v1/' ) ) {
		return $result;
	}
	if ( wp_presence_recording_enabled() ) {
		return $result;
	}
	if ( 'GET' === $request->get_method() || 'HEAD' === $request->get_method() ) {
		$response = new WP_REST_Response( array(), 200 );
		$response->header( 'X-WP-Total', '0' );
		$response->header( 'X-WP-TotalPages', '0' );
		$response->header( 'X-WP-Presence-Recording', 'off' );
		return $response;
	}
	return new WP_Error(
		'rest_presence_recording_disabled',
		__( 'Presence recording is turned off on this site.', 'presence' ),
		array( 'status' => 501 )
	);
}

/**
 * When the `invisible` feature is switched, the users it concerns change namespace at once:
 * switched off, the entries of users no longer hidden leave the hidden namespace (they show
 * again); switched back on, users whose stored choice is `invisible` go back into it. Users
 * forced invisible by the filter stay where they are.
 *
 * Hooked to `update_option_wp_presence_features` and `add_option_wp_presence_features`.
 *
 * @since 1.2.0
 *
 * @param mixed $old_value Old value (or the option name, when added).
 * @param mixed $value     New value.
 * @return void
 */
function wp_presence_on_features_updated( $old_value, $value ) {
	$was = ! is_array( $old_value ) || ! isset( $old_value['invisible'] ) || (bool) $old_value['invisible'];
	$now = ! is_array( $value ) || ! isset( $value['invisible'] ) || (bool) $value['invisible'];
	if ( $was === $now ) {
		return;
	}
	try {
		list( $site_ns, $hidden_ns ) = wp_presence_site_namespaces();
		if ( ! $now ) {
			$users = array();
			foreach ( wp_presence_in_namespace( $hidden_ns, static fn( $store ) => $store->rooms( '' ) ) as $room ) {
				foreach ( wp_presence_in_namespace( $hidden_ns, static fn( $store ) => $store->room( $room['room'] ) ) as $entry ) {
					$users[ (int) $entry['user_id'] ] = true;
				}
			}
			foreach ( array_keys( $users ) as $user_id ) {
				if ( ! wp_presence_user_is_hidden( $user_id ) ) {
					wp_presence_move_between( $user_id, $hidden_ns, $site_ns );
				}
			}
			return;
		}
		$chosen = get_users(
			array(
				'blog_id'    => get_current_blog_id(),
				'meta_key'   => WP_PRESENCE_PREFERENCE_META, // phpcs:ignore WordPress.DB.SlowDBQuery -- only when the switch changes.
				'meta_value' => 'invisible', // phpcs:ignore WordPress.DB.SlowDBQuery
				'fields'     => 'ID',
			)
		);
		foreach ( $chosen as $user_id ) {
			wp_presence_move_between( (int) $user_id, $site_ns, $hidden_ns );
		}
	} catch ( Throwable $e ) {
		return; // The store is gone; entries move with each user's next write.
	}
}
