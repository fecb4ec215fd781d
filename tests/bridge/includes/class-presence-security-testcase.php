<?php
/**
 * Base of the security tests: the role matrix and one call that collects what a viewer can
 * observe through every output path.
 *
 * @package Presence
 */

require_once __DIR__ . '/class-presence-recording-store.php';

/**
 * Role matrix and output paths.
 */
abstract class Presence_Security_TestCase extends Presence_TestCase {

	/**
	 * The recording store, while one is installed.
	 *
	 * @var Presence_Recording_Store|null
	 */
	protected $recorder = null;

	/**
	 * Removes a recording store a test left installed.
	 */
	protected function tearDown(): void {
		$this->stop_recording();
		parent::tearDown();
	}

	/**
	 * Every role, plus a super admin on the multisite pass.
	 *
	 * @return array
	 */
	public function roles() {
		$roles = array(
			'logged out'    => array( '' ),
			'subscriber'    => array( 'subscriber' ),
			'contributor'   => array( 'contributor' ),
			'author'        => array( 'author' ),
			'editor'        => array( 'editor' ),
			'administrator' => array( 'administrator' ),
		);
		if ( is_multisite() ) {
			$roles['super admin'] = array( 'super admin' );
		}
		return $roles;
	}

	/**
	 * The roles that may write presence (edit_posts).
	 *
	 * @return array
	 */
	public function writer_roles() {
		return array_diff_key( $this->roles(), array_flip( array( 'logged out', 'subscriber' ) ) );
	}

	/**
	 * A user of a role of the matrix (0 when logged out).
	 *
	 * @param string $role Role, '' or 'super admin'.
	 * @return int
	 */
	protected function viewer( $role ) {
		if ( '' === $role ) {
			return 0;
		}
		if ( 'super admin' === $role ) {
			$id = $this->make_user( 'administrator' );
			grant_super_admin( $id );
			return $id;
		}
		return $this->make_user( $role );
	}

	/**
	 * What a viewer can observe of presence, through every output path: Heartbeat (new protocol
	 * from the dashboard and from a post's edit screen, old protocol), REST (items of each room,
	 * the room list), WP-CLI (list of each room, summary), the admin UI's API functions, the
	 * network view and Site Health. Times are left out (a refresh is no change).
	 *
	 * The viewer's own Heartbeats write the viewer's own entries; call this once before the
	 * observation that counts, so that later calls only refresh them.
	 *
	 * @param int      $viewer  Viewer (0: logged out; the CLI then runs as the operator).
	 * @param string[] $rooms   Rooms to read.
	 * @param int      $post_id A post whose edit screen the viewer pings from, and whose editors
	 *                          are read.
	 * @param int[]    $users   Users whose status is read.
	 * @return array
	 */
	protected function observe( $viewer, array $rooms, $post_id, array $users ) {
		wp_set_current_user( $viewer );
		WP_Presence_Testing::reset_caches();
		$seen = array();
		if ( $viewer ) {
			$seen['heartbeat']      = $this->heartbeat( $viewer, $this->ping( 'tabobserve1' ) );
			$seen['heartbeat_post'] = $this->heartbeat( $viewer, $this->ping( 'tabobserve2', array( 'screen' => get_post_type( $post_id ), 'post_id' => $post_id, 'activity' => 'idle' ) ), get_post_type( $post_id ) );
			$seen['legacy']         = $this->heartbeat(
				$viewer,
				array(
					'presence-ping'              => array( 'screen' => 'dashboard' ),
					'presence-active-posts-ping' => true,
				)
			);
		}
		foreach ( $rooms as $room ) {
			$r                               = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => $room ) );
			$seen[ 'rest ' . $room ]         = array( $r->get_status(), $r->get_data(), $r->get_headers() );
			$seen[ 'cli ' . $room ]          = $this->cli( 'list_', array( $room ), array( 'format' => 'json' ) );
			$seen[ 'online_users ' . $room ] = wp_presence_online_users( array( 'room' => $room ) );
		}
		$r                    = $this->rest( 'GET', '/wp-presence/v1/presence/rooms' );
		$seen['rest rooms']   = array( $r->get_status(), $r->get_data(), $r->get_headers() );
		$seen['cli summary']  = $this->cli( 'summary', array(), array( 'format' => 'json' ) );
		$seen['cli network']  = $this->cli( 'summary', array(), array( 'network' => true, 'format' => 'json' ) );
		$seen['active_posts'] = wp_presence_active_posts();
		$seen['post_editors'] = wp_presence_post_editors( $post_id );
		foreach ( $users as $uid ) {
			$seen[ 'status ' . $uid ] = wp_get_user_presence_status( $uid );
		}
		$seen['network_summary'] = wp_presence_network_summary();
		$seen['network_users']   = wp_presence_network_online_users();
		$seen['site_health']     = wp_presence_site_health_test()['description'];
		return self::timeless( json_decode( wp_json_encode( $seen ), true ) );
	}

	/**
	 * Runs a `wp presence` subcommand through the stand-in and returns what it printed.
	 *
	 * @param string $method Method of the command class.
	 * @param array  $args   Positional arguments.
	 * @param array  $assoc  Options.
	 * @return array Recorded output, or array( 'error', message ).
	 */
	protected function cli( $method, array $args, array $assoc ) {
		require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-cli-command.php';
		WP_CLI::$out = array();
		try {
			( new WP_Presence_CLI_Command() )->$method( $args, $assoc );
		} catch ( WP_CLI_Stand_In_Error $e ) {
			return array( 'error', $e->getMessage() );
		}
		return WP_CLI::$out;
	}

	/**
	 * Drops times (updated, date_gmt, expires) from an observation, and the order of lists,
	 * which follows the times of the writes (most recent first).
	 *
	 * @param mixed $value Observation.
	 * @return mixed
	 */
	protected static function timeless( $value ) {
		if ( ! is_array( $value ) ) {
			return $value;
		}
		$out = array();
		foreach ( $value as $key => $item ) {
			if ( in_array( $key, array( 'updated', 'date_gmt', 'expires' ), true ) ) {
				continue;
			}
			$out[ $key ] = self::timeless( $item );
		}
		if ( array_is_list( $out ) ) {
			usort(
				$out,
				static function ( $a, $b ) {
					return strcmp( (string) wp_json_encode( $a ), (string) wp_json_encode( $b ) );
				}
			);
		}
		return $out;
	}

	/**
	 * Fails when an observation mentions a user: their id as a user_id, or their display name.
	 *
	 * @param int    $user_id     User.
	 * @param array  $observation Observation.
	 * @param string $message     Message.
	 * @return void
	 */
	protected function assertNotMentioned( $user_id, array $observation, $message ) {
		$json = wp_json_encode( $observation );
		$this->assertDoesNotMatchRegularExpression( '/"user_id":"?' . (int) $user_id . '"?[,}]/', $json, $message . ': user id' );
		$this->assertStringNotContainsString( wp_json_encode( get_userdata( $user_id )->display_name ), $json, $message . ': display name' );
		$this->assertDoesNotMatchRegularExpression( '/\b(tab|editor|lock|user|cli)-' . (int) $user_id . '\b/', $json, $message . ': client id' );
	}

	/**
	 * Routes the store through a Presence_Recording_Store.
	 *
	 * @return Presence_Recording_Store
	 */
	protected function start_recording() {
		$this->stop_recording();
		$recorder = new Presence_Recording_Store( wp_presence_store() );
		add_filter(
			'wp_presence_store',
			static function () use ( $recorder ) {
				return $recorder;
			},
			999
		);
		wp_presence_store( true );
		$this->recorder = $recorder;
		return $recorder;
	}

	/**
	 * Back to the real store.
	 *
	 * @return void
	 */
	protected function stop_recording() {
		if ( null === $this->recorder ) {
			return;
		}
		remove_all_filters( 'wp_presence_store', 999 );
		$this->recorder = null;
		wp_presence_store( true );
	}
}
