<?php
/**
 * Threat: a user (or a site) filling the store with entries (issue 8, hole 5).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * At most 50 live entries per user (filter `wp_presence_max_entries_per_user`) on every write
 * path, and a per-site limit (`wp_presence_max_entries_per_site`); a refused write says so and
 * loses nothing already stored.
 */
class SecurityEntryLimitsTest extends Presence_Security_TestCase {

	/**
	 * Live entries of a user in both namespaces of the site.
	 *
	 * @param int $user_id User.
	 * @return array[]
	 */
	private function live( $user_id ) {
		$all = array();
		foreach ( wp_presence_site_namespaces() as $ns ) {
			$all = array_merge(
				$all,
				wp_presence_in_namespace(
					$ns,
					static function ( WP_Presence_Store $s ) use ( $user_id ) {
						return $s->user_entries( $user_id );
					}
				)
			);
		}
		return self::timeless( $all );
	}

	public function test_a_flood_of_tab_ids_stops_at_50_and_loses_nothing() {
		$flooder = $this->make_user( 'contributor' );
		$other   = $this->make_user( 'editor' );
		$errors  = 0;
		for ( $i = 0; $i < 300; $i++ ) {
			$reply = $this->heartbeat( $flooder, $this->ping( 'flood' . sprintf( '%05d', $i ) ) )['wp-presence'];
			if ( isset( $reply['error'] ) ) {
				$this->assertSame( 'presence_limit_exceeded', $reply['error'] );
				$this->assertSame( '', $reply['ack'], 'no ack for a refused write' );
				$this->assertArrayHasKey( 'admin/online', $reply['rooms'], 'the reply still shows who is online' );
				++$errors;
			}
		}
		$this->assertSame( 250, $errors );
		$live = $this->live( $flooder );
		$this->assertCount( 50, $live );
		$kept = wp_list_pluck( $live, 'client_id' );
		sort( $kept );
		$first = array();
		for ( $i = 0; $i < 50; $i++ ) {
			$first[] = 'tab-' . $flooder . '-flood' . sprintf( '%05d', $i );
		}
		$this->assertSame( $first, $kept, 'the first 50 tabs are the ones kept' );

		// Everyone else is unaffected; the flooder's live tabs keep working.
		$this->assertArrayNotHasKey( 'error', $this->heartbeat( $other, $this->ping( 'tabother001' ) )['wp-presence'] );
		$reply = $this->heartbeat( $flooder, $this->ping( 'flood00007', array( 'activity' => 'away' ) ) )['wp-presence'];
		$this->assertArrayNotHasKey( 'error', $reply, 'an existing entry is no new one' );
		$this->assertSame( 'away', wp_presence_store()->get( 'admin/online', 'tab-' . $flooder . '-flood00007' )['data']['activity'] );
	}

	/**
	 * @dataProvider writer_roles
	 *
	 * @param string $role Role.
	 */
	public function test_every_write_path_refuses_a_new_entry_beyond_the_limit( $role ) {
		$user = $this->viewer( $role );
		$post = $this->make_post( $user, array( 'post_status' => 'draft' ) );
		for ( $i = 0; $i < 50; $i++ ) {
			$this->assertTrue( wp_set_presence( 'fill/' . $i, 'c', array( 'i' => $i ), $user ), "$role: entry $i" );
		}
		$before = $this->live( $user );
		wp_set_current_user( $user );

		$this->assertFalse( wp_set_presence( 'fill/new', 'c', array(), $user ), "$role: wp_set_presence" );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'one-more', 'data' => array() ) );
		$this->assertSame( 429, $r->get_status(), "$role: REST" );
		$this->assertSame( 'rest_presence_limit_exceeded', $r->get_data()['code'] );
		$reply = $this->heartbeat( $user, $this->ping( 'tabover001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->assertSame( 'presence_limit_exceeded', $reply['wp-presence']['error'], "$role: Heartbeat" );
		$legacy = $this->heartbeat(
			$user,
			array(
				'presence-ping'        => array( 'screen' => 'post' ),
				'presence-editor-ping' => array( 'post_id' => $post ),
			),
			'post'
		);
		$this->assertSame( 'presence_limit_exceeded', $legacy['presence-error'], "$role: old protocol" );
		$this->assertArrayHasKey( 'presence-online', $legacy );
		$lock = $this->heartbeat( $user, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertArrayHasKey( 'new_lock', $lock['wp-refresh-post-lock'], "$role: core's lock is refreshed as usual" );
		do_action( 'wp_login', get_userdata( $user )->user_login, get_userdata( $user ) );
		$this->assertSame( 'error', $this->cli( 'set', array( 'fill/cli' ), array( 'user' => $user ) )[0], "$role: WP-CLI" );

		$this->assertSame( $before, $this->live( $user ), "$role: nothing written, nothing lost" );

		// Refreshing or changing an entry the user holds is no new entry.
		$this->assertTrue( wp_set_presence( 'fill/3', 'c', array( 'i' => 'changed' ), $user ) );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'fill/4', 'client_id' => 'c', 'data' => array() ) )->get_status() );
		// Entries that expire free their place.
		WP_Presence_Testing::advance( WP_PRESENCE_DEFAULT_TTL + 1 );
		$this->assertTrue( wp_set_presence( 'fill/new', 'c', array(), $user ), "$role: after expiry" );
	}

	public function test_a_hidden_users_entries_count_too() {
		$user = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $user, 'invisible' );
		for ( $i = 0; $i < 50; $i++ ) {
			$this->heartbeat( $user, $this->ping( 'tabhid' . sprintf( '%04d', $i ) ) );
		}
		$this->assertSame( 'presence_limit_exceeded', $this->heartbeat( $user, $this->ping( 'tabhid9999' ) )['wp-presence']['error'] );
		$this->assertCount( 50, $this->live( $user ) );
		$this->assertSame( array(), wp_presence_store()->user_entries( $user ), 'all of them hidden' );
	}

	public function test_the_per_user_limit_is_filtered() {
		$user = $this->make_user( 'author' );
		$this->add_test_filter(
			'wp_presence_max_entries_per_user',
			static function ( $max, $user_id ) use ( $user ) {
				return $user_id === $user ? 3 : $max;
			},
			10,
			2
		);
		for ( $i = 0; $i < 5; $i++ ) {
			wp_set_presence( 'f/' . $i, 'c', array(), $user );
		}
		$this->assertCount( 3, $this->live( $user ) );
	}

	public function test_a_site_holds_at_most_its_share() {
		$this->assertSame( 'extension' === wp_presence_backend() ? 0 : 10000, wp_presence_max_entries_per_site(), 'the default: the extension shares the segment itself' );
		$this->add_test_filter(
			'wp_presence_max_entries_per_site',
			static function () {
				return 30;
			}
		);
		$users = array( $this->make_user( 'contributor' ), $this->make_user( 'editor' ), $this->make_user( 'author' ) );
		wp_set_user_presence_preference( $users[0], 'invisible' ); // Hidden entries use the site's share too.
		$refused = 0;
		foreach ( $users as $u ) {
			for ( $i = 0; $i < 15; $i++ ) {
				$reply = $this->heartbeat( $u, $this->ping( 'tabsite' . sprintf( '%04d', $i ) ) )['wp-presence'];
				if ( isset( $reply['error'] ) ) {
					$this->assertSame( 'presence_site_limit_exceeded', $reply['error'] );
					++$refused;
				}
			}
		}
		$this->assertSame( 15, $refused );
		$this->assertSame( 30, wp_presence_site_entry_count() );
		wp_set_current_user( $users[0] );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'chat/x', 'client_id' => 'c', 'data' => array() ) );
		$this->assertSame( 429, $r->get_status() );
		$this->assertSame( 'rest_presence_limit_exceeded', $r->get_data()['code'] );
		$this->assertFalse( wp_set_presence( 'chat/x', 'c', array(), $users[0] ) );
	}
}
