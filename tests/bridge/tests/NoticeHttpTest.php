<?php
/**
 * Issue 8 hole 11 over real HTTP (php-fpm + nginx from run.sh): the dismissal through
 * admin-ajax.php and admin-post.php as a browser sends it.
 *
 * @package Presence
 */

/**
 * The hooks are registered in a real request, the nonce is checked there, the no-JavaScript link
 * redirects back.
 */
class NoticeHttpTest extends Presence_TestCase {

	/**
	 * php-fpm must see the users: no transaction.
	 *
	 * @var bool
	 */
	protected $use_transaction = false;

	/**
	 * Users to delete.
	 *
	 * @var int[]
	 */
	private $created = array();

	protected function setUp(): void {
		if ( '1' !== getenv( 'PRESENCE_TEST_HTTP' ) ) {
			$this->markTestSkipped( 'Needs php-fpm + nginx (tests/bridge/run.sh).' );
		}
		parent::setUp();
	}

	protected function tearDown(): void {
		foreach ( $this->created as $id ) {
			if ( is_multisite() ) {
				wpmu_delete_user( $id );
			} else {
				wp_delete_user( $id );
			}
		}
		parent::tearDown();
	}

	/**
	 * A logged-in browser: its cookie header and a dismissal nonce of its session.
	 *
	 * @param string $role Role (super admin on a network for 'administrator').
	 * @return array id, cookie, nonce.
	 */
	private function browser( $role ) {
		$id              = $this->make_user( $role );
		$this->created[] = $id;
		if ( 'administrator' === $role && is_multisite() ) {
			grant_super_admin( $id );
		}
		$expiration                  = time() + HOUR_IN_SECONDS;
		$token                       = WP_Session_Tokens::get_instance( $id )->create( $expiration );
		$auth                        = wp_generate_auth_cookie( $id, $expiration, 'auth', $token );
		$logged_in                   = wp_generate_auth_cookie( $id, $expiration, 'logged_in', $token );
		$_COOKIE[ LOGGED_IN_COOKIE ] = $logged_in;
		wp_set_current_user( 0 );
		wp_set_current_user( $id );
		$nonce = wp_create_nonce( 'wp_presence_dismiss_notice' );
		unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
		wp_set_current_user( 0 );
		return array(
			'id'     => $id,
			'cookie' => AUTH_COOKIE . '=' . rawurlencode( $auth ) . '; ' . LOGGED_IN_COOKIE . '=' . rawurlencode( $logged_in ),
			'nonce'  => $nonce,
		);
	}

	/**
	 * One request.
	 *
	 * @param string     $path   Path under /wp-admin/.
	 * @param array      $fields POST fields (GET query when $get).
	 * @param array|null $user   Browser, or null for a logged-out one.
	 * @param bool       $get    GET instead of POST.
	 * @return array status, location, body.
	 */
	private function request( $path, array $fields, $user, $get = false ) {
		$url = rtrim( (string) getenv( 'PRESENCE_TEST_URL' ), '/' ) . '/wp-admin/' . $path;
		$ch  = curl_init( $get ? $url . '?' . http_build_query( $fields ) : $url );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_POST           => ! $get,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HEADER         => true,
				CURLOPT_TIMEOUT        => 30,
				CURLOPT_HTTPHEADER     => array_filter( array( $user ? 'Cookie: ' . $user['cookie'] : '', 'Referer: ' . rtrim( (string) getenv( 'PRESENCE_TEST_URL' ), '/' ) . '/wp-admin/plugins.php' ) ),
			)
		);
		if ( ! $get ) {
			curl_setopt( $ch, CURLOPT_POSTFIELDS, http_build_query( $fields ) );
		}
		$raw    = (string) curl_exec( $ch );
		$status = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		$size   = (int) curl_getinfo( $ch, CURLINFO_HEADER_SIZE );
		curl_close( $ch );
		preg_match( '/^Location:\s*(\S+)/mi', substr( $raw, 0, $size ), $m );
		return array(
			'status'   => $status,
			'location' => isset( $m[1] ) ? $m[1] : '',
			'body'     => substr( $raw, $size ),
		);
	}

	/**
	 * What the user's meta says, fresh from the database.
	 *
	 * @param int $user_id User.
	 * @return mixed
	 */
	private function dismissed( $user_id ) {
		wp_cache_delete( $user_id, 'user_meta' );
		return get_user_meta( $user_id, WP_PRESENCE_DISMISSED_META, true );
	}

	public function test_ajax_dismissal_needs_a_nonce_and_the_capability() {
		$admin  = $this->browser( 'administrator' );
		$editor = $this->browser( 'editor' );
		$ajax   = array(
			'action' => 'wp_presence_dismiss_notice',
			'notice' => 'backend',
		);

		$r = $this->request( 'admin-ajax.php', $ajax, null );
		$this->assertSame( 400, $r['status'], 'logged out: no handler at all' );
		$this->assertSame( '0', $r['body'] );

		$r = $this->request( 'admin-ajax.php', $ajax, $admin );
		$this->assertSame( 403, $r['status'], 'no nonce' );
		$this->assertSame( '-1', $r['body'] );
		$r = $this->request( 'admin-ajax.php', $ajax + array( '_wpnonce' => $editor['nonce'] ), $admin );
		$this->assertSame( 403, $r['status'], "another user's nonce" );
		$r = $this->request( 'admin-ajax.php', $ajax + array( '_wpnonce' => $editor['nonce'] ), $editor );
		$this->assertSame( 403, $r['status'], 'an editor may not' );
		$this->assertSame( '', $this->dismissed( $editor['id'] ) );
		$this->assertSame( '', $this->dismissed( $admin['id'] ) );

		$r = $this->request( 'admin-ajax.php', $ajax + array( '_wpnonce' => $admin['nonce'] ), $admin );
		$this->assertSame( 200, $r['status'], $r['body'] );
		$this->assertSame( array( 'success' => true, 'data' => array( 'notice' => 'backend' ) ), json_decode( $r['body'], true ) );
		$this->assertIsArray( $this->dismissed( $admin['id'] ) );
		$this->assertArrayHasKey( 'backend', $this->dismissed( $admin['id'] ) );
	}

	public function test_no_js_link_dismisses_and_redirects_back() {
		$admin = $this->browser( 'administrator' );
		$link  = array(
			'action' => 'wp_presence_dismiss_notice',
			'notice' => 'backend',
		);
		$r     = $this->request( 'admin-post.php', $link + array( '_wpnonce' => 'deadbeef00' ), $admin, true );
		$this->assertSame( 403, $r['status'], 'a wrong nonce' );
		$this->assertSame( '', $this->dismissed( $admin['id'] ) );

		$r = $this->request( 'admin-post.php', $link + array( '_wpnonce' => $admin['nonce'] ), $admin, true );
		$this->assertSame( 302, $r['status'], $r['body'] );
		$this->assertStringEndsWith( '/wp-admin/plugins.php', $r['location'] );
		$this->assertArrayHasKey( 'backend', (array) $this->dismissed( $admin['id'] ) );
	}
}
