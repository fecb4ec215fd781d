<?php
/**
 * Test helpers for plugin authors' PHPUnit suites.
 *
 * Loaded only for tests: the main file requires it when `WP_PRESENCE_TESTING` is true, and a
 * PHPUnit bootstrap may require it directly. Production requests never load it.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Resets presence between tests and moves the store's clock for TTL tests, on every backend.
 *
 * ```php
 * // wp-tests-config.php (or your bootstrap, before WordPress loads):
 * define( 'WP_PRESENCE_TESTING', true );
 *
 * public function set_up() {
 *     parent::set_up();
 *     WP_Presence_Testing::reset();
 * }
 *
 * public function tear_down() {
 *     WP_Presence_Testing::reset_clock();
 *     parent::tear_down();
 * }
 *
 * public function test_entry_expires() {
 *     wp_set_presence( 'my/room', 'c1', array() );
 *     WP_Presence_Testing::advance( 61 );
 *     $this->assertSame( array(), wp_get_presence( 'my/room' ) );
 * }
 * ```
 *
 * The clock offset is honoured only in test mode: on SQL and Redis only while
 * `WP_PRESENCE_TESTING` is true (a stored offset is ignored otherwise), on the extension only
 * with ini `presence.debug_clock=1`. The offset moves the clock of every process using the
 * same store (every php-fpm worker; on SQL every process of the network, on Redis every
 * install with the same key prefix).
 *
 * @since 1.0.0
 */
class WP_Presence_Testing {

	/**
	 * Removes every entry of the current site (invisible users' hidden namespace included) and
	 * forgets per-request caches.
	 *
	 * @return int Entries removed.
	 */
	public static function reset() {
		self::reset_caches();
		return function_exists( 'wp_presence_clear_site' ) ? wp_presence_clear_site() : wp_presence_store()->clear();
	}

	/**
	 * Forgets the bridge's per-request caches (user display data, labels, admin URLs) without
	 * touching entries.
	 *
	 * @return void
	 */
	public static function reset_caches() {
		$GLOBALS['wp_presence_cards']         = array();
		$GLOBALS['wp_presence_request_cache'] = array();
	}

	/**
	 * Moves the store's clock forward.
	 *
	 * @param int $seconds Seconds (> 0).
	 * @return int The total offset.
	 * @throws InvalidArgumentException When $seconds is not positive.
	 * @throws LogicException Outside test mode (`WP_PRESENCE_TESTING`, `presence.debug_clock`).
	 */
	public static function advance( $seconds ) {
		$seconds = (int) $seconds;
		if ( $seconds <= 0 ) {
			throw new InvalidArgumentException( 'WP_Presence_Testing::advance() needs a positive number of seconds.' );
		}
		return wp_presence_store()->advance( $seconds );
	}

	/**
	 * Puts the store's clock back to real time, undoing every advance().
	 *
	 * Entries written while the clock was ahead keep their times, so they live longer than
	 * their TTL after the reset: call reset() as well (and see the README on versions).
	 *
	 * @return void
	 * @throws LogicException When the extension is too old to reset its clock.
	 */
	public static function reset_clock() {
		$store = wp_presence_store();
		if ( $store instanceof WP_Presence_Store_SQL || $store instanceof WP_Presence_Store_Redis ) {
			$store->reset_clock();
		} elseif ( 'extension' === $store->name() ) {
			if ( ! function_exists( 'presence_debug_reset_clock' ) ) {
				throw new LogicException( 'This presence extension cannot reset its clock (presence_debug_reset_clock() is missing); update the extension.' );
			}
			presence_debug_reset_clock();
		} elseif ( method_exists( $store, 'reset_clock' ) ) {
			$store->reset_clock(); // A store from the wp_presence_store filter.
		}
		self::reset_caches();
	}

	/**
	 * The store's clock.
	 *
	 * @return int Unix seconds.
	 */
	public static function now() {
		return wp_presence_store()->now();
	}

	/**
	 * The active backend's name.
	 *
	 * @return string
	 */
	public static function backend() {
		return wp_presence_backend();
	}
}
