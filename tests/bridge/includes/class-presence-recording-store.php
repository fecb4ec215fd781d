<?php
/**
 * A store that records every call before passing it on (side-channel tests).
 *
 * @package Presence
 */

/**
 * Wraps the active store; `$calls` lists each call as `method(args)` with the namespace it ran
 * in, so two requests can be compared for the work they made the store do.
 */
class Presence_Recording_Store implements WP_Presence_Store {

	/**
	 * The real store.
	 *
	 * @var WP_Presence_Store
	 */
	private $inner;

	/**
	 * Recorded calls.
	 *
	 * @var string[]
	 */
	public $calls = array();

	/**
	 * Constructor.
	 *
	 * @param WP_Presence_Store $inner The real store.
	 */
	public function __construct( WP_Presence_Store $inner ) {
		$this->inner = $inner;
	}

	/**
	 * Records and forwards a call.
	 *
	 * @param string $method Method.
	 * @param array  $args   Arguments.
	 * @return mixed
	 */
	private function pass( $method, array $args ) {
		$this->calls[] = $this->inner->get_namespace() . ' ' . $method . '(' . wp_json_encode( $args ) . ')';
		return $this->inner->$method( ...$args );
	}

	/** {@inheritDoc} */
	public function name() {
		return $this->inner->name();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $ns Namespace.
	 */
	public function set_namespace( $ns ) {
		$this->inner->set_namespace( $ns );
	}

	/** {@inheritDoc} */
	public function get_namespace() {
		return $this->inner->get_namespace();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL.
	 */
	public function upsert( $room, $client_id, $user_id, array $data, $ttl ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function get( $room, $client_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $room    Room.
	 * @param int|null $max_age Max age.
	 */
	public function room( $room, $max_age = null ) {
		return $this->pass( __FUNCTION__, array( $room, $max_age ) );
	}

	/**
	 * The first users of a room (docs/CONTRACT.md §1), recorded like the rest. Every backend has
	 * it (ViewRoomTopTest::test_every_backend_has_the_bounded_read).
	 *
	 * @since 1.4.0
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users to pick.
	 * @param int    $user_id A user whose entries come too.
	 * @return array entries, users.
	 */
	public function room_top( $room, $users, $user_id = 0 ) {
		return $this->pass( __FUNCTION__, array( $room, $users, $user_id ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function remove( $room, $client_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function remove_user( $user_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $rooms Rooms.
	 */
	public function rooms_entries( array $rooms ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function user_entries( $user_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $prefix Prefix.
	 */
	public function rooms( $prefix = '' ) {
		return $this->pass( __FUNCTION__, array( $prefix ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $namespaces Namespaces.
	 * @param string   $room       Room.
	 */
	public function room_counts( array $namespaces, $room ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room Room.
	 */
	public function room_version( $room ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}

	/** {@inheritDoc} */
	public function sweep() {
		return $this->pass( __FUNCTION__, array() );
	}

	/** {@inheritDoc} */
	public function clear() {
		return $this->pass( __FUNCTION__, array() );
	}

	/** {@inheritDoc} */
	public function stats() {
		return $this->pass( __FUNCTION__, array() );
	}

	/** {@inheritDoc} */
	public function now() {
		return $this->inner->now();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $seconds Seconds.
	 */
	public function advance( $seconds ) {
		return $this->inner->advance( $seconds );
	}
}
