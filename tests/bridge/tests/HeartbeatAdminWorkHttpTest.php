<?php
/**
 * Over real HTTP: what a Heartbeat tick leaves out of `init` and `admin_init`, and what every other
 * request still gets (the probe in fixtures/presence-test-worker.php reports it in headers).
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/class-presence-http-testcase.php';

/**
 * Settings registration, settings fields and the privacy policy text: not on a tick, everywhere
 * else.
 */
class HeartbeatAdminWorkHttpTest extends Presence_Http_TestCase {

	/**
	 * One request with the probe asked for.
	 *
	 * @param string     $path    Path and query.
	 * @param array|null $fields  POST fields (null: GET).
	 * @param array      $user    From session_user().
	 * @param array      $headers More request headers.
	 * @return array status, probe (settings, fields, policy, hooks: '1', '0' or null), body.
	 */
	private function probed( $path, $fields, array $user, array $headers = array() ) {
		$ch = curl_init( rtrim( (string) getenv( 'PRESENCE_TEST_URL' ), '/' ) . $path );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HEADER         => true,
				CURLOPT_TIMEOUT        => 30,
				CURLOPT_FORBID_REUSE   => true,
				CURLOPT_HTTPHEADER     => array_merge( array( 'Cookie: ' . $user['cookie'], 'X-Presence-Probe: 1' ), $headers ),
			)
		);
		if ( null !== $fields ) {
			curl_setopt( $ch, CURLOPT_POST, true );
			curl_setopt( $ch, CURLOPT_POSTFIELDS, http_build_query( $fields ) );
		}
		$raw = curl_exec( $ch );
		$this->assertNotFalse( $raw, curl_error( $ch ) );
		$size  = curl_getinfo( $ch, CURLINFO_HEADER_SIZE );
		$probe = array(
			'settings' => null,
			'fields'   => null,
			'policy'   => null,
			'hooks'    => null,
		);
		foreach ( explode( "\r\n", substr( (string) $raw, 0, $size ) ) as $line ) {
			if ( preg_match( '/^X-Presence-(Settings|Fields|Policy|Hooks):\s*([01])$/i', trim( $line ), $m ) ) {
				$probe[ strtolower( $m[1] ) ] = $m[2];
			}
		}
		return array(
			'status' => (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ),
			'probe'  => $probe,
			'body'   => substr( (string) $raw, $size ),
		);
	}

	public function test_a_tick_skips_the_admin_work_other_requests_keep() {
		$admin = $this->session_user( 'administrator' );

		$tick = $this->probed(
			'/wp-admin/admin-ajax.php',
			array(
				'action'    => 'heartbeat',
				'_nonce'    => $admin['heartbeat_nonce'],
				'screen_id' => 'dashboard',
				'has_focus' => 'true',
				'interval'  => 60,
				'data'      => array( 'wp-presence' => array( 'tab' => 'tabprobe01', 'screen' => 'dashboard', 'activity' => 'online' ) ),
			),
			$admin
		);
		$this->assertSame( 200, $tick['status'], $tick['body'] );
		$reply = json_decode( $tick['body'], true );
		$this->assertContains( $admin['id'], $this->ids( $reply['wp-presence']['rooms']['admin/online']['users'] ), 'the tick is answered as before' );
		$this->assertSame(
			array(
				'settings' => '0',
				'fields'   => '0',
				'policy'   => '0',
				'hooks'    => '0',
			),
			$tick['probe'],
			'a tick registers no setting, no settings field, no policy text and no page-only hook'
		);

		// Any other admin-ajax.php action (it may save options, or be the leave beacon) keeps all four.
		$other = $this->probed( '/wp-admin/admin-ajax.php', array( 'action' => 'presence_no_such_action' ), $admin );
		$this->assertSame(
			array(
				'settings' => '1',
				'fields'   => '1',
				'policy'   => '1',
				'hooks'    => '1',
			),
			$other['probe']
		);

		// options.php (Settings → General posts to it) and the General screen.
		$page = $this->probed( '/wp-admin/options-general.php', null, $admin );
		$this->assertSame( 200, $page['status'] );
		$this->assertSame( '1', $page['probe']['settings'] );
		$this->assertSame( '1', $page['probe']['fields'] );
		$this->assertSame( '1', $page['probe']['hooks'] );
		$this->assertStringContainsString( 'name="' . WP_PRESENCE_RECORDING_OPTION . '"', $page['body'] );
		$options = $this->probed( '/wp-admin/options.php', null, $admin );
		$this->assertSame( '1', $options['probe']['settings'] );

		// The REST settings route.
		$rest = $this->probed( '/index.php?rest_route=/wp/v2/settings', null, $admin, array( 'X-WP-Nonce: ' . $admin['rest_nonce'] ) );
		$this->assertSame( 200, $rest['status'], $rest['body'] );
		$this->assertSame( '1', $rest['probe']['settings'] );
	}
}
