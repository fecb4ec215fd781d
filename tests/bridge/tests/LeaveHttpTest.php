<?php
/**
 * The leave beacon as a browser sends it (admin-ajax.php over HTTP, php-fpm from run.sh).
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/class-presence-http-testcase.php';

/**
 * Nonce, shape and ownership checks of `wp_presence_leave`, and what another user sees.
 */
class LeaveHttpTest extends Presence_Http_TestCase {

	protected function setUp(): void {
		parent::setUp();
		// php-fpm's store (on the extension: a segment this process does not see) without other tests' users.
		$this->stack_php( 'WP_Presence_Testing::reset();' );
	}

	protected function tearDown(): void {
		$this->stack_php( 'WP_Presence_Testing::reset();' );
		parent::tearDown();
	}

	/**
	 * Sends the beacon.
	 *
	 * @param array|null $user   Session user (null: logged out).
	 * @param array      $fields Fields over the defaults.
	 * @return array
	 */
	private function leave( $user, array $fields = array() ) {
		return $this->http(
			rtrim( (string) getenv( 'PRESENCE_TEST_URL' ), '/' ) . '/wp-admin/admin-ajax.php',
			array_merge(
				array(
					'action'      => 'wp_presence_leave',
					'_ajax_nonce' => $user ? $user['leave_nonce'] : '',
					'tab'         => 'leavetab1',
				),
				$fields
			),
			$user ? $user['cookie'] : ''
		);
	}

	/**
	 * The users Bob sees online, and the room version he got (null when the room was left out).
	 *
	 * @param array $bob  Session user.
	 * @param array $seen Versions Bob has.
	 * @return array ids, version.
	 */
	private function bob_sees( array $bob, array $seen ) {
		$reply = $this->http_heartbeat( getenv( 'PRESENCE_TEST_URL' ), $bob, array( 'tab' => 'bobtab001', 'screen' => 'dashboard', 'seen' => $seen ) )['reply'];
		$room  = isset( $reply['rooms']['admin/online'] ) ? $reply['rooms']['admin/online'] : null;
		return array( $room ? $this->ids( $room['users'] ) : null, $room ? $room['version'] : null );
	}

	public function test_a_navigation_is_invisible_and_a_closed_tab_leaves_within_the_grace() {
		$alice = $this->session_user();
		$bob   = $this->session_user();
		$url   = getenv( 'PRESENCE_TEST_URL' );
		$this->http_heartbeat( $url, $alice, array( 'tab' => 'leavetab1', 'screen' => 'dashboard' ) );
		list( $ids, $version ) = $this->bob_sees( $bob, array() );
		$this->assertSame( $this->ids( array( array( 'user_id' => $alice['id'] ), array( 'user_id' => $bob['id'] ) ) ), $ids );

		// Alice reloads: the beacon, then her next page's first tick (no ack).
		$res = $this->leave( $alice );
		$this->assertSame( 200, $res['status'], $res['body'] );
		$this->assertSame( array( 'shortened' => 1, 'grace' => 10 ), $res['json']['data'] );
		$this->http_heartbeat( $url, $alice, array( 'tab' => 'leavetab1', 'screen' => 'dashboard' ) );
		$this->assertSame( array( null, null ), $this->bob_sees( $bob, array( 'admin/online' => $version ) ), 'no change for Bob' );
		$this->stack_php( 'WP_Presence_Testing::advance( 11 );' );
		$this->assertSame( array( null, null ), $this->bob_sees( $bob, array( 'admin/online' => $version ) ), 'Alice still there after the grace' );

		// Alice closes the tab: gone for Bob once the grace is over, not before.
		$this->assertSame( 1, $this->leave( $alice )['json']['data']['shortened'] );
		// 7 s of store time, plus the real seconds the requests and php-cli runs take.
		$this->stack_php( 'WP_Presence_Testing::advance( 7 );' );
		$this->assertSame( array( null, null ), $this->bob_sees( $bob, array( 'admin/online' => $version ) ) );
		$this->stack_php( 'WP_Presence_Testing::advance( 4 );' );
		list( $ids ) = $this->bob_sees( $bob, array( 'admin/online' => $version ) );
		$this->assertSame( array( $bob['id'] ), $ids );

		if ( 'sql' === wp_presence_backend() && ! is_multisite() ) {
			global $wpdb;
			// Moving the clock from another process keeps the offset autoloaded (no query per request).
			$autoload = $wpdb->get_var( $wpdb->prepare( "SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", WP_Presence_Store_SQL::OFFSET_OPTION ) );
			$this->assertContains( $autoload, wp_autoload_values_to_autoload() );
		}
	}

	public function test_bad_requests_are_refused_and_touch_nothing() {
		$alice = $this->session_user();
		$bob   = $this->session_user();
		$url   = getenv( 'PRESENCE_TEST_URL' );
		$this->http_heartbeat( $url, $alice, array( 'tab' => 'leavetab1', 'screen' => 'dashboard' ) );

		$res = $this->leave( $alice, array( '_ajax_nonce' => 'abcdef0123' ) );
		$this->assertSame( 403, $res['status'] );
		$this->assertSame( 'invalid_nonce', $res['json']['data']['code'] );
		$res = $this->leave( $alice, array( '_ajax_nonce' => $bob['leave_nonce'] ) );
		$this->assertSame( 403, $res['status'], "another session's nonce" );
		foreach ( array( 'LEAVETAB1', 'leavetab1 ', "leavetab1\n", 'leave', str_repeat( 'a', 17 ) ) as $tab ) {
			$res = $this->leave( $alice, array( 'tab' => $tab ) );
			$this->assertSame( 400, $res['status'], wp_json_encode( $tab ) );
			$this->assertSame( 'invalid_tab', $res['json']['data']['code'] );
		}
		$res = $this->http( rtrim( $url, '/' ) . '/wp-admin/admin-ajax.php', array( 'action' => 'wp_presence_leave', '_ajax_nonce' => $alice['leave_nonce'], 'tab' => array( 'leavetab1' ) ), $alice['cookie'] );
		$this->assertSame( 400, $res['status'], 'an array for the tab' );
		$res = $this->leave( null );
		$this->assertSame( 400, $res['status'], 'logged out: no such action' );
		$res = $this->leave( $bob );
		$this->assertSame( 200, $res['status'] );
		$this->assertSame( 0, $res['json']['data']['shortened'], "Bob cannot touch Alice's tab" );

		// Alice's entry still has its full TTL: 11 s later she is online.
		$this->stack_php( 'WP_Presence_Testing::advance( 11 );' );
		list( $ids ) = $this->bob_sees( $bob, array() );
		$this->assertContains( $alice['id'], $ids );
	}
}
