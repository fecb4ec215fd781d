<?php
/**
 * Test helpers for plugin authors' PHPUnit suites.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Resets presence between tests and moves the store's clock for TTL tests, on either backend.
 *
 * ```php
 * public function set_up() {
 *     parent::set_up();
 *     WP_Presence_Testing::reset();
 * }
 *
 * public function test_entry_expires() {
 *     wp_set_presence( 'my/room', 'c1', array() );
 *     WP_Presence_Testing::advance( 61 );
 *     $this->assertSame( array(), wp_get_presence( 'my/room' ) );
 * }
 * ```
 *
 * The extension backend needs ini `presence.debug_clock=1` for advance(); its clock moves for
 * every process using the segment and never goes back. The SQL backend keeps the offset in
 * the network option `wp_presence_clock_offset`, which reset() does not clear either (time
 * only moves forward on both backends).
 *
 * @since 1.0.0
 */
class WP_Presence_Testing {

	/**
	 * Removes every entry of the current site and forgets per-request caches.
	 *
	 * @return int Entries removed.
	 */
	public static function reset() {
		self::reset_caches();
		return wp_presence_store()->clear();
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
	 */
	public static function advance( $seconds ) {
		$seconds = (int) $seconds;
		if ( $seconds <= 0 ) {
			throw new InvalidArgumentException( 'WP_Presence_Testing::advance() needs a positive number of seconds.' );
		}
		return wp_presence_store()->advance( $seconds );
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
