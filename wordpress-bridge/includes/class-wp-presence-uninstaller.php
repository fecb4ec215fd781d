<?php
/**
 * Removes everything the bridge stored (uninstall.php).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/namespace-names.php'; // The derived namespaces' names, as the bridge spells them.

/**
 * Uninstall, self-contained: it runs while the plugin is inactive, so it loads what it needs
 * itself and relies on nothing the main file sets up.
 *
 * What goes: the SQL tables; every option, network option, user meta key and cron hook named
 * `wp_presence_*` (the bridge owns that prefix); on Redis, every key of every namespace of this
 * install; on the extension (when this process has it), the entries of every site.
 *
 * @since 1.1.0
 */
class WP_Presence_Uninstaller {

	/**
	 * Prefix of every option, network option, user meta key and cron hook of the bridge.
	 */
	const PREFIX = 'wp_presence_';

	/**
	 * Namespaces derived from a site's namespace are `{ns}{DERIVED_SEPARATOR}{suffix}`.
	 */
	const DERIVED_SEPARATOR = '~';

	/**
	 * Removes everything. Each part runs even when another fails (a Redis server that is gone
	 * must not keep the tables), and nothing is thrown: uninstall has no one to report to.
	 *
	 * @return string[] Errors met, for logs and tests.
	 */
	public static function run() {
		$errors     = array();
		$blogs      = self::blog_ids();
		$namespaces = array();
		foreach ( $blogs as $blog_id ) {
			$namespaces[] = self::site_namespace( $blog_id );
		}
		$parts = array(
			'extension' => static function () use ( $namespaces ) {
				self::clear_extension( $namespaces );
			},
			'redis'     => static function () use ( $namespaces ) {
				self::clear_redis( $namespaces );
			},
			'tables'    => array( __CLASS__, 'drop_tables' ),
			'options'   => static function () use ( $blogs ) {
				self::delete_site_data( $blogs );
			},
			'network'   => array( __CLASS__, 'delete_network_options' ),
			'user_meta' => array( __CLASS__, 'delete_user_meta' ),
		);
		foreach ( $parts as $part => $callback ) {
			try {
				call_user_func( $callback );
			} catch ( Throwable $e ) {
				$errors[] = $part . ': ' . $e->getMessage();
			}
		}
		return $errors;
	}

	/**
	 * Every site of the install (every network's on multisite).
	 *
	 * @return int[]
	 */
	public static function blog_ids() {
		if ( ! is_multisite() ) {
			return array( get_current_blog_id() );
		}
		return array_map(
			'intval',
			get_sites(
				array(
					'fields'     => 'ids',
					'number'     => 0,
					'network_id' => 0,
				)
			)
		);
	}

	/**
	 * The namespace prefix of this install: `wp-{hash}-`, the hash as in wp_presence_namespace().
	 *
	 * @return string
	 */
	public static function install_prefix() {
		global $wpdb;
		return 'wp-' . substr( md5( DB_NAME . '|' . $wpdb->base_prefix . '|' . ABSPATH ), 0, 12 ) . '-';
	}

	/**
	 * A site's namespace, as wp_presence_namespace() gives it (filters of other plugins included).
	 *
	 * @param int $blog_id Blog id.
	 * @return string
	 */
	public static function site_namespace( $blog_id ) {
		/** This filter is documented in includes/store.php */
		return substr( (string) apply_filters( 'wp_presence_namespace', self::install_prefix() . (int) $blog_id, (int) $blog_id ), 0, 64 );
	}

	/**
	 * Loads the store classes, when the plugin did not.
	 *
	 * @return void
	 */
	private static function load_stores() {
		$dir = __DIR__;
		if ( ! interface_exists( 'WP_Presence_Store', false ) ) {
			require_once $dir . '/interface-wp-presence-store.php';
		}
		if ( ! trait_exists( 'WP_Presence_Store_Checks', false ) ) {
			require_once $dir . '/trait-wp-presence-store-checks.php';
		}
		if ( ! class_exists( 'WP_Presence_Store_SQL', false ) ) {
			require_once $dir . '/class-wp-presence-store-sql.php';
		}
		if ( ! class_exists( 'WP_Presence_Store_Redis', false ) ) {
			require_once $dir . '/class-wp-presence-store-redis.php';
		}
	}

	/**
	 * The namespace derived from a site's for its hidden (invisible) users: `{ns}~h`, shortened
	 * with a hash past 62 bytes. It must stay the policy layer's spelling of it; the extension
	 * cannot list namespaces, so uninstall clears this one by name there.
	 *
	 * @param string $ns Site namespace.
	 * @return string
	 */
	public static function hidden_namespace( $ns ) {
		return wp_presence_derived_namespace( $ns, 'h' );
	}

	/**
	 * The sites' namespaces and the derived ones.
	 *
	 * @param string[] $namespaces Site namespaces.
	 * @return string[]
	 */
	private static function with_derived( array $namespaces ) {
		$all = array();
		foreach ( $namespaces as $ns ) {
			$all[] = $ns;
			$all[] = self::hidden_namespace( $ns );
			$all[] = wp_presence_derived_namespace( $ns, 's' ); // Stale-screen revisions.
		}
		return array_values( array_unique( $all ) );
	}

	/**
	 * Clears the sites' entries on the extension, when this process has it. Other installs on
	 * the same segment keep theirs (presence_clear() works in one namespace).
	 *
	 * @param string[] $namespaces Site namespaces.
	 * @return void
	 */
	private static function clear_extension( array $namespaces ) {
		if ( ! extension_loaded( 'presence' ) || ! function_exists( 'presence_clear' ) ) {
			return;
		}
		$old = presence_namespace();
		try {
			foreach ( self::with_derived( $namespaces ) as $ns ) {
				presence_set_namespace( $ns );
				presence_clear();
			}
		} finally {
			presence_set_namespace( $old );
		}
	}

	/**
	 * Deletes this install's keys on Redis, when it is configured: every namespace starting with
	 * the install prefix, plus the filtered namespaces and the ones derived from them.
	 *
	 * @param string[] $namespaces Site namespaces.
	 * @return void
	 */
	private static function clear_redis( array $namespaces ) {
		$configured = ( defined( 'WP_PRESENCE_BACKEND' ) && 'redis' === WP_PRESENCE_BACKEND ) || defined( 'WP_PRESENCE_REDIS' );
		if ( ! $configured || ! class_exists( 'Redis' ) ) {
			return;
		}
		self::load_stores();
		$install  = self::install_prefix();
		$prefixes = array( $install );
		foreach ( $namespaces as $ns ) {
			if ( 0 !== strpos( $ns, $install ) ) {
				$prefixes[] = $ns . self::DERIVED_SEPARATOR; // A namespace set by the filter.
			}
		}
		$redis = new WP_Presence_Store_Redis();
		$redis->delete_namespaces( $prefixes, self::with_derived( $namespaces ) );
	}

	/**
	 * Drops the SQL tables.
	 *
	 * @return void
	 */
	public static function drop_tables() {
		self::load_stores();
		WP_Presence_Store_SQL::drop_tables();
	}

	/**
	 * `LIKE` patterns of the bridge's option names (options, transients).
	 *
	 * @return string[]
	 */
	private static function option_patterns() {
		global $wpdb;
		$like = $wpdb->esc_like( self::PREFIX ) . '%';
		return array( $like, $wpdb->esc_like( '_transient_' ) . $like, $wpdb->esc_like( '_transient_timeout_' ) . $like, $wpdb->esc_like( '_site_transient_' ) . $like, $wpdb->esc_like( '_site_transient_timeout_' ) . $like );
	}

	/**
	 * Per site: the options and the cron events.
	 *
	 * @param int[] $blogs Blog ids.
	 * @return void
	 */
	private static function delete_site_data( array $blogs ) {
		global $wpdb;
		foreach ( $blogs as $blog_id ) {
			$switched = is_multisite() && get_current_blog_id() !== $blog_id;
			if ( $switched ) {
				switch_to_blog( $blog_id );
			}
			try {
				foreach ( self::option_patterns() as $like ) {
					// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- uninstall: names of our own options.
					foreach ( (array) $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $like ) ) as $name ) {
						delete_option( $name );
					}
				}
				foreach ( (array) _get_cron_array() as $hooks ) {
					foreach ( array_keys( (array) $hooks ) as $hook ) {
						if ( 0 === strpos( (string) $hook, self::PREFIX ) ) {
							wp_unschedule_hook( (string) $hook );
						}
					}
				}
			} finally {
				if ( $switched ) {
					restore_current_blog();
				}
			}
		}
	}

	/**
	 * The network options of every network (multisite).
	 *
	 * @return void
	 */
	public static function delete_network_options() {
		global $wpdb;
		if ( ! is_multisite() ) {
			return; // Network options are the site's options, gone with them.
		}
		$networks = get_networks(
			array(
				'fields' => 'ids',
				'number' => 0,
			)
		);
		foreach ( array_map( 'intval', $networks ) as $network_id ) {
			foreach ( self::option_patterns() as $like ) {
				// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- uninstall: names of our own network options.
				foreach ( (array) $wpdb->get_col( $wpdb->prepare( "SELECT meta_key FROM {$wpdb->sitemeta} WHERE site_id = %d AND meta_key LIKE %s", $network_id, $like ) ) as $name ) {
					delete_network_option( $network_id, $name );
				}
			}
		}
	}

	/**
	 * Every user's `wp_presence_*` meta (preferences, dismissed notices).
	 *
	 * @return void
	 */
	public static function delete_user_meta() {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- uninstall: names of our own meta keys.
		foreach ( (array) $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT meta_key FROM {$wpdb->usermeta} WHERE meta_key LIKE %s", $wpdb->esc_like( self::PREFIX ) . '%' ) ) as $key ) {
			delete_metadata( 'user', 0, $key, '', true );
		}
	}
}
