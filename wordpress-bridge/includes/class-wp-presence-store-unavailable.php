<?php
/**
 * The store of a request whose configured backend does not answer.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Stands in for a shared backend (Redis) that could not be reached when the request started.
 *
 * Every read and write throws at once, with the reason, so one request waits for the backend at
 * most once (the connect or read timeout) and every caller fails the way it already handles:
 * the Heartbeat reply carries `error: presence_unavailable`, pages render without presence,
 * `wp_presence_is_available()` is false and Site Health says why. The next request tries the
 * backend again, so presence comes back by itself when the backend does.
 *
 * It does not fall back to the SQL table: web servers that reach Redis and web servers that
 * do not would then keep two different presences, and a site sized for Redis would put every
 * tick on the database at the moment it is least able to take it.
 *
 * @since 1.2.0
 */
class WP_Presence_Store_Unavailable implements WP_Presence_Store {

	/**
	 * Backend name, as wp_presence_backend() reports it.
	 *
	 * @var string
	 */
	private $name;

	/**
	 * Why the backend is unavailable.
	 *
	 * @var string
	 */
	private $reason;

	/**
	 * Namespace (kept so that callers switching sites behave as usual).
	 *
	 * @var string
	 */
	private $ns = '';

	/**
	 * Creates the stand-in.
	 *
	 * @param string $name   Backend name ('redis').
	 * @param string $reason The error the backend gave.
	 */
	public function __construct( $name, $reason ) {
		$this->name   = (string) $name;
		$this->reason = (string) $reason;
	}

	/**
	 * The error the backend gave.
	 *
	 * @return string
	 */
	public function reason() {
		return $this->reason;
	}

	/**
	 * Throws the documented error.
	 *
	 * @throws RuntimeException Always.
	 * @return void
	 */
	private function fail() {
		throw new RuntimeException( sprintf( 'presence %s store unavailable: %s', $this->name, $this->reason ) );
	}

	/**
	 * {@inheritDoc}
	 */
	public function name() {
		return $this->name;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $ns Namespace.
	 */
	public function set_namespace( $ns ) {
		$this->ns = (string) $ns;
	}

	/**
	 * {@inheritDoc}
	 */
	public function get_namespace() {
		return $this->ns;
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
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function get( $room, $client_id ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $room    Room.
	 * @param int|null $max_age Max age.
	 */
	public function room( $room, $max_age = null ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function remove( $room, $client_id ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function remove_user( $user_id ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $rooms Rooms.
	 */
	public function rooms_entries( array $rooms ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function user_entries( $user_id ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $prefix Prefix.
	 */
	public function rooms( $prefix = '' ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $namespaces Namespaces.
	 * @param string   $room       Room.
	 */
	public function room_counts( array $namespaces, $room ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room Room.
	 */
	public function room_version( $room ) {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 */
	public function sweep() {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 */
	public function clear() {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 */
	public function stats() {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 */
	public function now() {
		$this->fail();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $seconds Seconds.
	 */
	public function advance( $seconds ) {
		$this->fail();
	}
}
