<?php
/**
 * What the stores written in PHP share: the current namespace and the extension's input limits.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Namespace handling and argument checks for `WP_Presence_Store` implementations in PHP (SQL,
 * Redis), so they refuse exactly what the extension refuses (docs/CONTRACT.md §1).
 *
 * @since 1.0.0
 */
trait WP_Presence_Store_Checks {

	/**
	 * Current namespace.
	 *
	 * @var string
	 */
	private $ns = '';

	/**
	 * {@inheritDoc}
	 *
	 * @param string $ns Namespace.
	 */
	public function set_namespace( $ns ) {
		$ns = (string) $ns;
		if ( strlen( $ns ) > 64 ) {
			throw new ValueError( 'presence namespace must be at most 64 bytes' );
		}
		$this->ns = $ns;
	}

	/**
	 * {@inheritDoc}
	 */
	public function get_namespace() {
		return $this->ns;
	}

	/**
	 * Validates a room or client id like the extension does.
	 *
	 * @param string $value Value.
	 * @param string $what  Name for the message.
	 * @throws ValueError When empty or over 255 bytes.
	 * @return void
	 */
	private static function check_key( $value, $what ) {
		if ( '' === $value || strlen( $value ) > 255 ) {
			throw new ValueError( sprintf( 'presence %s must be 1 to 255 bytes', $what ) );
		}
	}

	/**
	 * Validates room_top()'s arguments like the extension does (presence_room_top()).
	 *
	 * @since 1.4.0
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users to pick.
	 * @param int    $user_id Extra user.
	 * @throws ValueError On a bad room, `$users` outside 1..1000 or a negative user id.
	 * @return void
	 */
	private static function check_top( $room, $users, $user_id ) {
		self::check_key( $room, 'room' );
		if ( $users < 1 || $users > 1000 ) {
			throw new ValueError( 'presence users must be between 1 and 1000' );
		}
		if ( $user_id < 0 ) {
			throw new ValueError( 'presence user_id must not be negative' );
		}
	}

	/**
	 * Validates data like the extension does (no objects, depth at most 8).
	 *
	 * @param mixed $value Value.
	 * @param int   $depth Current depth.
	 * @throws ValueError For objects, resources or too deep data.
	 * @return void
	 */
	private static function check_data( $value, $depth ) {
		if ( $depth > 8 ) {
			throw new ValueError( 'presence data is nested deeper than 8' );
		}
		foreach ( $value as $item ) {
			if ( is_array( $item ) ) {
				self::check_data( $item, $depth + 1 );
			} elseif ( is_object( $item ) || is_resource( $item ) ) {
				throw new ValueError( 'presence data may only hold scalars and arrays' );
			}
		}
	}

	/**
	 * Checks `upsert()` arguments as the extension does and encodes the data.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL in seconds.
	 * @throws ValueError On any argument out of range.
	 * @return string The data as JSON.
	 */
	private static function checked_upsert( $room, $client_id, $user_id, array $data, $ttl ) {
		self::check_key( $room, 'room' );
		self::check_key( $client_id, 'client_id' );
		if ( $user_id < 0 ) {
			throw new ValueError( 'presence user_id must not be negative' );
		}
		if ( $ttl < 1 || $ttl > 86400 ) {
			throw new ValueError( 'presence TTL must be between 1 and 86400' );
		}
		self::check_data( $data, 1 );
		$json = wp_json_encode( $data );
		if ( false === $json || strlen( $json ) > 16384 ) {
			throw new ValueError( 'presence data is over 16 KiB encoded' );
		}
		return $json;
	}
}
