<?php
/**
 * Logged-in "browsers" for tests that talk to php-fpm over HTTP, and php-cli runs with a stack's
 * own ini (scripts/stack/php.sh), for tests whose web servers keep presence where the PHPUnit
 * process cannot see it.
 *
 * @package Presence
 */

/**
 * Users with auth cookies and nonces, HTTP requests, and php-cli in a stack's configuration.
 */
trait Presence_Browser_Session {

	/**
	 * Users created by session_user(), deleted by delete_session_users().
	 *
	 * @var int[]
	 */
	private $session_users = array();

	/**
	 * Skips the test outside run.sh, fails it when run.sh could not start php-fpm and nginx.
	 *
	 * @return void
	 */
	protected function require_http_stack() {
		$http = getenv( 'PRESENCE_TEST_HTTP' );
		if ( false === $http || '' === $http ) {
			$this->markTestSkipped( 'PRESENCE_TEST_HTTP unset: run through tests/bridge/run.sh, which starts php-fpm and nginx.' );
		}
		if ( '1' !== $http ) {
			$this->fail( 'run.sh could not start php-fpm + nginx (scripts/stack/start.sh); see its output.' );
		}
	}

	/**
	 * A user logged in as a browser would be: cookies and the nonces of that session.
	 *
	 * @param string $role Role.
	 * @return array id, cookie, heartbeat_nonce, rest_nonce, leave_nonce.
	 */
	protected function session_user( $role = 'editor' ) {
		$id                    = $this->make_user( $role );
		$this->session_users[] = $id;
		$expiration            = time() + HOUR_IN_SECONDS;
		$token                 = WP_Session_Tokens::get_instance( $id )->create( $expiration );
		$logged_in             = wp_generate_auth_cookie( $id, $expiration, 'logged_in', $token );
		$auth                  = wp_generate_auth_cookie( $id, $expiration, 'auth', $token );
		$_COOKIE[ LOGGED_IN_COOKIE ] = $logged_in; // Nonces are tied to the session token.
		wp_set_current_user( 0 );
		wp_set_current_user( $id );
		$user = array(
			'id'              => $id,
			'cookie'          => AUTH_COOKIE . '=' . rawurlencode( $auth ) . '; ' . LOGGED_IN_COOKIE . '=' . rawurlencode( $logged_in ),
			'heartbeat_nonce' => wp_create_nonce( 'heartbeat-nonce' ),
			'rest_nonce'      => wp_create_nonce( 'wp_rest' ),
			'leave_nonce'     => wp_create_nonce( WP_PRESENCE_LEAVE_NONCE ),
		);
		unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
		wp_set_current_user( 0 );
		return $user;
	}

	/**
	 * Deletes the users session_user() created.
	 *
	 * @return void
	 */
	protected function delete_session_users() {
		foreach ( $this->session_users as $id ) {
			if ( is_multisite() ) {
				wpmu_delete_user( $id );
			} else {
				wp_delete_user( $id );
			}
		}
		$this->session_users = array();
	}

	/**
	 * One HTTP request.
	 *
	 * @param string      $url     Absolute URL.
	 * @param array|null  $fields  POST fields (null: GET).
	 * @param string      $cookie  Cookie header ('' for none).
	 * @param float       $timeout Seconds.
	 * @return array status, body, json (decoded or null), seconds.
	 */
	protected function http( $url, $fields = null, $cookie = '', $timeout = 30.0 ) {
		$ch = curl_init( $url );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_TIMEOUT_MS     => (int) ( $timeout * 1000 ),
				CURLOPT_FORBID_REUSE   => true,
				CURLOPT_HTTPHEADER     => '' === $cookie ? array() : array( 'Cookie: ' . $cookie ),
			)
		);
		if ( null !== $fields ) {
			curl_setopt( $ch, CURLOPT_POST, true );
			curl_setopt( $ch, CURLOPT_POSTFIELDS, http_build_query( $fields ) );
		}
		$start = microtime( true );
		$body  = curl_exec( $ch );
		$this->assertNotFalse( $body, $url . ': ' . curl_error( $ch ) );
		$out = array(
			'status'  => (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ),
			'body'    => (string) $body,
			'json'    => json_decode( (string) $body, true ),
			'seconds' => microtime( true ) - $start,
		);
		curl_close( $ch );
		return $out;
	}

	/**
	 * A Heartbeat over HTTP carrying a `wp-presence` payload.
	 *
	 * @param string $base    Base URL of the site.
	 * @param array  $user    From session_user().
	 * @param array  $payload The `wp-presence` payload.
	 * @param string $screen  Screen id.
	 * @return array As http(), plus reply (the `wp-presence` reply or null).
	 */
	protected function http_heartbeat( $base, array $user, array $payload, $screen = 'dashboard' ) {
		$res = $this->http(
			rtrim( $base, '/' ) . '/wp-admin/admin-ajax.php',
			array(
				'action'    => 'heartbeat',
				'_nonce'    => $user['heartbeat_nonce'],
				'screen_id' => $screen,
				'has_focus' => 'true',
				'interval'  => 60,
				'data'      => array( 'wp-presence' => $payload ),
			),
			$user['cookie']
		);
		$this->assertSame( 200, $res['status'], $res['body'] );
		$res['reply'] = is_array( $res['json'] ) && isset( $res['json']['wp-presence'] ) ? $res['json']['wp-presence'] : null;
		return $res;
	}

	/**
	 * Runs PHP code in php-cli with a stack's ini (its extension, segment and prepend file), with
	 * WordPress loaded, and returns what the code printed.
	 *
	 * @param string      $code  PHP code (no opening tag), run after wp-load.php.
	 * @param string|null $stack Stack name (default: the pass's own stack).
	 * @return string
	 */
	protected function stack_php( $code, $stack = null ) {
		$site   = (string) getenv( 'PRESENCE_TEST_SITE' );
		$root   = dirname( __DIR__, 3 );
		$host   = (string) parse_url( (string) getenv( 'PRESENCE_TEST_URL' ), PHP_URL_HOST ) . ':' . (string) parse_url( (string) getenv( 'PRESENCE_TEST_URL' ), PHP_URL_PORT );
		$script = '$_SERVER["HTTP_HOST"] = ' . var_export( $host, true ) . '; $_SERVER["REQUEST_URI"] = "/"; require ' . var_export( $site . '/wp-load.php', true ) . '; ' . $code;
		$env    = null === $stack ? '' : 'STACK_NAME=' . escapeshellarg( $stack ) . ' ';
		$out    = shell_exec( $env . escapeshellarg( $root . '/scripts/stack/php.sh' ) . ' ' . escapeshellarg( $site ) . ' -r ' . escapeshellarg( $script ) . ' 2>&1' );
		return (string) $out;
	}
}
