<?php
/**
 * Issue 8 hole 11: the backend notice can be dismissed, per user, with a nonce, and comes back
 * when its reason changes.
 *
 * @package Presence
 */

/**
 * The Ajax handler over the role matrix, the markup, the reason key; over HTTP in HttpNoticeTest.
 */
class NoticeDismissTest extends Presence_TestCase {

	protected function tearDown(): void {
		$GLOBALS['current_screen'] = null;
		parent::tearDown();
	}

	/**
	 * Runs the dismissal as admin-ajax.php does.
	 *
	 * @param array $request Request fields.
	 * @return array status, message, body (Presence_TestCase::call_ajax()).
	 */
	private function ajax( array $request ) {
		return $this->call_ajax(
			static function () {
				do_action( 'wp_ajax_wp_presence_dismiss_notice' );
			},
			$request
		);
	}

	/**
	 * The notice as printed on the Plugins screen for the current user.
	 *
	 * @return string
	 */
	private function notice() {
		set_current_screen( is_network_admin() ? 'plugins-network' : 'plugins' );
		ob_start();
		wp_presence_backend_notice();
		return (string) ob_get_clean();
	}

	/**
	 * A user of a role (super admin on a network for 'super').
	 *
	 * @param string $role Role, 'super' or '' (logged out).
	 * @return int
	 */
	private function as_role( $role ) {
		if ( '' === $role ) {
			wp_set_current_user( 0 );
			return 0;
		}
		$id = $this->make_user( 'super' === $role ? 'administrator' : $role );
		if ( 'super' === $role ) {
			grant_super_admin( $id );
		}
		wp_set_current_user( $id );
		return $id;
	}

	/**
	 * Who may dismiss: whoever sees the notice (activate_plugins; a network's site
	 * administrators do not have it unless the network allows them the Plugins menu).
	 *
	 * @return array[]
	 */
	public function roles() {
		return array(
			'logged out'    => array( '', false ),
			'subscriber'    => array( 'subscriber', false ),
			'contributor'   => array( 'contributor', false ),
			'author'        => array( 'author', false ),
			'editor'        => array( 'editor', false ),
			'administrator' => array( 'administrator', null ),
			'super admin'   => array( 'super', true ),
		);
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string    $role Role.
	 * @param bool|null $may  Whether the role may dismiss (null: administrator, single site only).
	 */
	public function test_role_matrix( $role, $may ) {
		if ( 'super' === $role && ! is_multisite() ) {
			$role = 'administrator';
		}
		if ( null === $may ) {
			$may = ! is_multisite();
		}
		$id   = $this->as_role( $role );
		$html = $this->notice();
		$this->assertSame( $may, '' !== $html, 'the notice shows to exactly those who may dismiss it' );
		$r = $this->ajax(
			array(
				'_wpnonce' => wp_create_nonce( 'wp_presence_dismiss_notice' ),
				'notice'   => 'backend',
			)
		);
		if ( $may ) {
			$this->assertSame( 200, $r['status'], $r['body'] );
			$this->assertSame( array( 'success' => true, 'data' => array( 'notice' => 'backend' ) ), json_decode( $r['body'], true ) );
			$this->assertSame( '', $this->notice(), 'dismissed' );
		} else {
			$this->assertSame( 403, $r['status'] );
			$this->assertSame( '-1', $r['message'] );
			if ( $id ) {
				$this->assertSame( '', get_user_meta( $id, WP_PRESENCE_DISMISSED_META, true ), 'nothing stored' );
			}
		}
	}

	public function test_markup_is_dismissible_with_a_nonce_and_a_no_js_link() {
		$this->as_role( is_multisite() ? 'super' : 'administrator' );
		$html = $this->notice();
		$this->assertMatchesRegularExpression( '/<div class="notice notice-(warning|info) is-dismissible presence-backend-notice"/', $html );
		$this->assertMatchesRegularExpression( '/data-presence-nonce="([a-f0-9]{10})"/', $html );
		preg_match( '/data-presence-nonce="([a-f0-9]{10})"/', $html, $m );
		$this->assertSame( 1, wp_verify_nonce( $m[1], 'wp_presence_dismiss_notice' ) );
		$this->assertStringContainsString( 'admin-post.php?action=wp_presence_dismiss_notice&#038;notice=backend&#038;_wpnonce=' . $m[1], $html );
		$this->assertStringContainsString( "wp_presence_dismiss_notice'", $html, 'the inline script posts the dismissal' );
	}

	public function test_nonce_is_required_and_bound_to_the_user() {
		$a = $this->as_role( is_multisite() ? 'super' : 'administrator' );
		$nonce_of_a = wp_create_nonce( 'wp_presence_dismiss_notice' );
		$b = $this->as_role( is_multisite() ? 'super' : 'administrator' );

		foreach ( array( 'no nonce' => array(), 'empty' => array( '_wpnonce' => '' ), 'garbage' => array( '_wpnonce' => 'deadbeef00' ), "another user's" => array( '_wpnonce' => $nonce_of_a ), 'an array' => array( '_wpnonce' => array( $nonce_of_a ) ), 'another action' => array( '_wpnonce' => wp_create_nonce( 'heartbeat-nonce' ) ) ) as $case => $fields ) {
			$r = $this->ajax( array_merge( array( 'notice' => 'backend' ), $fields ) );
			$this->assertSame( 403, $r['status'], $case );
			$this->assertSame( '', get_user_meta( $b, WP_PRESENCE_DISMISSED_META, true ), $case );
			$this->assertNotSame( '', $this->notice(), $case . ': still shown' );
		}

		foreach ( array( 'unknown', '', 'conflict' ) as $notice ) {
			$r = $this->ajax( array( '_wpnonce' => wp_create_nonce( 'wp_presence_dismiss_notice' ), 'notice' => $notice ) );
			$this->assertSame( 400, $r['status'], "notice '$notice'" );
		}
		$this->assertSame( '', get_user_meta( $b, WP_PRESENCE_DISMISSED_META, true ) );
		unset( $a );
	}

	public function test_dismissal_is_per_user_and_returns_when_the_reason_changes() {
		$role = is_multisite() ? 'super' : 'administrator';
		$a    = $this->as_role( $role );
		$r    = $this->ajax( array( '_wpnonce' => wp_create_nonce( 'wp_presence_dismiss_notice' ), 'notice' => 'backend' ) );
		$this->assertSame( 200, $r['status'] );
		$this->assertSame( '', $this->notice() );
		$this->assertSame( array( 'backend' => wp_presence_backend_notice_key() ), get_user_meta( $a, WP_PRESENCE_DISMISSED_META, true ) );

		$this->as_role( $role );
		$this->assertNotSame( '', $this->notice(), 'another administrator still sees it' );

		// The reason changes: a store supplied by a filter (as a host plugging in a backend).
		wp_set_current_user( $a );
		$other = static function () {
			return new WP_Presence_Store_SQL();
		};
		add_filter( 'wp_presence_store', $other );
		try {
			wp_presence_store( true );
			$html = $this->notice();
		} finally {
			remove_filter( 'wp_presence_store', $other );
			wp_presence_store( true );
		}
		$this->assertStringContainsString( 'supplied by the wp_presence_store filter', $html, 'the notice is back with its new reason' );
	}
}

