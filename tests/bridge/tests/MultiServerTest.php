<?php
/**
 * More than one web server: two php-fpm masters, each with a shared-memory segment of its own,
 * stand for two web servers of one site (scripts/stack/start.sh with STACK_NAME).
 *
 * - With one Redis (`WP_PRESENCE_BACKEND=redis`, a redis-server of this test's own) a tick
 *   through one is seen through the other; Redis stopped: calls fail fast, the admin keeps
 *   working, Site Health says why; Redis back: presence recovers without restarting PHP.
 * - Without Redis (the extension on each): Site Health reports split presence, with the fix.
 *
 * Runs in the `redis` pass of tests/bridge/run.sh (redis-server and phpredis are there), with
 * the extension built; the ports are this test's own (run the suite under /work/bin/isolated).
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/trait-presence-browser-session.php';

/**
 * Two web servers, one site.
 */
class MultiServerTest extends Presence_TestCase {

	use Presence_Browser_Session;

	/**
	 * Committed fixtures: php-fpm must see them.
	 *
	 * @var bool
	 */
	protected $use_transaction = false;

	/**
	 * Web servers: name => [ php-fpm port, HTTP port ].
	 */
	const SERVERS = array(
		'multi-a' => array( 9104, 8104 ),
		'multi-b' => array( 9105, 8105 ),
	);

	const REDIS_PORT = 6392;

	/**
	 * Stacks started by this test.
	 *
	 * @var string[]
	 */
	private $started = array();

	/**
	 * The redis-server process of this test.
	 *
	 * @var resource|null
	 */
	private $redis = null;

	/**
	 * Its pid.
	 *
	 * @var int
	 */
	private $redis_pid = 0;

	protected function setUp(): void {
		if ( 'redis' !== getenv( 'PRESENCE_TEST_BACKEND' ) || '1' !== getenv( 'PRESENCE_TEST_HTTP' ) ) {
			$this->markTestSkipped( 'Runs in the redis pass of tests/bridge/run.sh (redis-server, phpredis, php-fpm).' );
		}
		if ( ! is_file( (string) getenv( 'PRESENCE_TEST_SO' ) ) ) {
			$this->fail( 'The extension is not built (make ext): each web server needs its own segment.' );
		}
		parent::setUp();
		delete_site_option( WP_PRESENCE_SERVERS_OPTION );
		// Marks other runs left (the Redis servers share the temporary directory).
		foreach ( (array) glob( trailingslashit( get_temp_dir() ) . 'wp-presence-server-*.mark' ) as $mark ) {
			unlink( $mark );
		}
	}

	protected function tearDown(): void {
		$root = dirname( __DIR__, 3 );
		foreach ( $this->started as $name ) {
			shell_exec( 'REMOVE_SHM=1 STACK_NAME=' . escapeshellarg( $name ) . ' ' . escapeshellarg( $root . '/scripts/stack/stop.sh' ) . ' ' . escapeshellarg( (string) getenv( 'PRESENCE_TEST_SITE' ) ) . ' 2>&1' );
		}
		$this->started = array();
		$this->stop_redis();
		delete_site_option( WP_PRESENCE_SERVERS_OPTION );
		$this->delete_session_users();
		parent::tearDown();
	}

	/**
	 * Starts (or restarts) the two web servers with the given backend constants.
	 *
	 * @param string $defines PHP defining WP_PRESENCE_BACKEND / WP_PRESENCE_REDIS before wp-config.php.
	 * @param string $tag     Distinguishes the prepend files (a new file restarts the stacks).
	 * @return void
	 */
	private function start_servers( $defines, $tag ) {
		$root    = dirname( __DIR__, 3 );
		$prepend = sys_get_temp_dir() . '/presence-multi-' . $tag . '.php';
		file_put_contents( $prepend, "<?php\n" . $defines . "\n" );
		foreach ( self::SERVERS as $name => $ports ) {
			$cmd = sprintf(
				'STACK_NAME=%s FPM_WORKERS=2 PRESENCE_SO=%s PRESENCE_SHM_PATH=%s PHP_FPM_EXTRA_INI=%s %s %s %d %d 2>&1',
				escapeshellarg( $name ),
				escapeshellarg( (string) getenv( 'PRESENCE_TEST_SO' ) ),
				escapeshellarg( '/dev/shm/presence-' . $name ),
				escapeshellarg( 'auto_prepend_file=' . $prepend ),
				escapeshellarg( $root . '/scripts/stack/start.sh' ),
				escapeshellarg( (string) getenv( 'PRESENCE_TEST_SITE' ) ),
				$ports[0],
				$ports[1]
			);
			exec( $cmd, $out, $rc );
			$this->assertSame( 0, $rc, implode( "\n", $out ) );
			$this->started[] = $name;
		}
	}

	/**
	 * Base URL of a web server.
	 *
	 * @param string $name Stack name.
	 * @return string
	 */
	private function url( $name ) {
		return 'http://127.0.0.1:' . self::SERVERS[ $name ][1];
	}

	/**
	 * PHP defining the Redis backend on this test's Redis.
	 *
	 * @return string
	 */
	private function redis_defines() {
		return "define( 'WP_PRESENCE_BACKEND', 'redis' );\ndefine( 'WP_PRESENCE_REDIS', array( 'host' => '127.0.0.1', 'port' => " . self::REDIS_PORT . ", 'prefix' => 'wp_presence_multi:', 'timeout' => 0.5, 'read_timeout' => 0.5 ) );";
	}

	private function start_redis() {
		$dir         = sys_get_temp_dir() . '/presence-multi-redis';
		wp_mkdir_p( $dir );
		$this->redis = proc_open(
			array( 'redis-server', '--bind', '127.0.0.1', '--port', (string) self::REDIS_PORT, '--save', '', '--appendonly', 'no', '--dir', $dir ),
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', $dir . '/redis.log', 'a' ),
				2 => array( 'file', $dir . '/redis.log', 'a' ),
			),
			$pipes
		);
		$this->assertIsResource( $this->redis );
		$this->redis_pid = (int) proc_get_status( $this->redis )['pid'];
		for ( $i = 0; $i < 50; $i++ ) {
			$r = new Redis();
			try {
				if ( @$r->connect( '127.0.0.1', self::REDIS_PORT, 0.2 ) && $r->ping() ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors
					return;
				}
			} catch ( RedisException $e ) {
				unset( $e );
			}
			usleep( 100000 );
		}
		$this->fail( 'redis-server did not start on port ' . self::REDIS_PORT );
	}

	private function stop_redis() {
		if ( $this->redis ) {
			posix_kill( $this->redis_pid, SIGCONT );
			proc_terminate( $this->redis, SIGTERM );
			proc_close( $this->redis );
			$this->redis = null;
		}
	}

	/**
	 * The Site Health results a web server's Site Health screen shows (an administrator's GET).
	 *
	 * @param string $name  Stack name.
	 * @param array  $admin Session user (administrator).
	 * @return array test name => result.
	 */
	private function site_health( $name, array $admin ) {
		$res = $this->http( $this->url( $name ) . '/wp-admin/site-health.php', null, $admin['cookie'] );
		$this->assertSame( 200, $res['status'], 'Site Health renders' );
		$this->assertSame( 1, preg_match( '/var SiteHealth = (\{.*?\});\n/s', $res['body'], $m ), 'Site Health data on the page' );
		$data = json_decode( $m[1], true );
		$out  = array();
		foreach ( $data['site_status']['direct'] as $result ) {
			$out[ $result['test'] ] = $result;
		}
		return $out;
	}

	public function test_two_web_servers_share_presence_through_redis_and_survive_its_outage() {
		if ( ! class_exists( 'Redis' ) || '' === trim( (string) shell_exec( 'command -v redis-server' ) ) ) {
			$this->fail( 'phpredis and redis-server are needed (scripts/install-deps.sh).' );
		}
		$this->start_redis();
		$this->start_servers( $this->redis_defines(), 'redis' );
		$alice = $this->session_user();
		$bob   = $this->session_user();
		$admin = $this->session_user( 'administrator' );

		$a = $this->http_heartbeat( $this->url( 'multi-a' ), $alice, array( 'tab' => 'alicetab1', 'screen' => 'dashboard' ) );
		$this->assertArrayNotHasKey( 'error', $a['reply'] );
		$b = $this->http_heartbeat( $this->url( 'multi-b' ), $bob, array( 'tab' => 'bobtab001', 'screen' => 'edit-post' ) );
		$this->assertSame( $this->ids( array( array( 'user_id' => $alice['id'] ), array( 'user_id' => $bob['id'] ) ) ), $this->ids( $b['reply']['rooms']['admin/online']['users'] ), 'B sees what A wrote' );
		$a = $this->http_heartbeat( $this->url( 'multi-a' ), $alice, array( 'tab' => 'alicetab1', 'screen' => 'dashboard', 'ack' => $a['reply']['ack'] ) );
		$this->assertContains( $bob['id'], $this->ids( $a['reply']['rooms']['admin/online']['users'] ), 'A sees what B wrote' );
		$health = $this->site_health( 'multi-a', $admin );
		$this->assertSame( 'good', $health['presence_servers']['status'], wp_json_encode( $health['presence_servers'] ) );
		wp_cache_flush();
		$this->assertSame( array( 'Redis 127.0.0.1:' . self::REDIS_PORT . '/0 (wp_presence_multi:)' ), array_values( array_unique( wp_list_pluck( wp_presence_servers(), 'label' ) ) ), 'the servers recorded their one store' );

		// Redis stops answering (stopped, not gone: connections hang until the read timeout).
		posix_kill( $this->redis_pid, SIGSTOP );
		$down = $this->http_heartbeat( $this->url( 'multi-a' ), $alice, array( 'tab' => 'alicetab1', 'screen' => 'dashboard' ) );
		$this->assertSame( 'presence_unavailable', $down['reply']['error'] );
		$this->assertLessThan( 5.0, $down['seconds'], 'fails fast: one read timeout (0.5 s), not one per call' );
		$page = $this->http( $this->url( 'multi-b' ) . '/wp-admin/', null, $bob['cookie'], 20.0 );
		$this->assertSame( 200, $page['status'], 'the dashboard still renders' );
		$this->assertStringContainsString( 'id="wpadminbar"', $page['body'] );
		$this->assertLessThan( 10.0, $page['seconds'] );

		// Gone altogether: refused at once.
		posix_kill( $this->redis_pid, SIGCONT );
		$this->stop_redis();
		$gone = $this->http_heartbeat( $this->url( 'multi-b' ), $bob, array( 'tab' => 'bobtab001', 'screen' => 'edit-post' ) );
		$this->assertSame( 'presence_unavailable', $gone['reply']['error'] );
		$this->assertLessThan( 3.0, $gone['seconds'] );
		$health = $this->site_health( 'multi-b', $admin );
		$this->assertSame( 'critical', $health['presence_servers']['status'] );
		$this->assertStringContainsString( 'Redis', $health['presence_servers']['label'] );
		$this->assertStringContainsString( '127.0.0.1:' . self::REDIS_PORT, $health['presence_servers']['description'], 'says which server and why' );
		$this->assertStringContainsString( 'presence_unavailable', $health['presence_backend']['description'] );

		// Redis is back (empty: no persistence): the same php-fpm processes recover on their own.
		$this->start_redis();
		$a = $this->http_heartbeat( $this->url( 'multi-a' ), $alice, array( 'tab' => 'alicetab1', 'screen' => 'dashboard' ) );
		$this->assertArrayNotHasKey( 'error', $a['reply'] );
		$b = $this->http_heartbeat( $this->url( 'multi-b' ), $bob, array( 'tab' => 'bobtab001', 'screen' => 'edit-post' ) );
		$this->assertArrayNotHasKey( 'error', $b['reply'] );
		$this->assertSame( $this->ids( array( array( 'user_id' => $alice['id'] ), array( 'user_id' => $bob['id'] ) ) ), $this->ids( $b['reply']['rooms']['admin/online']['users'] ) );
		$this->assertSame( 'good', $this->site_health( 'multi-a', $admin )['presence_servers']['status'] );
	}

	public function test_split_presence_without_redis_is_reported_with_the_fix() {
		$this->start_servers( "define( 'WP_PRESENCE_BACKEND', 'extension' );", 'split' );
		$alice = $this->session_user();
		$bob   = $this->session_user();
		$admin = $this->session_user( 'administrator' );
		$this->http_heartbeat( $this->url( 'multi-a' ), $alice, array( 'tab' => 'alicetab1', 'screen' => 'dashboard' ) );
		$b = $this->http_heartbeat( $this->url( 'multi-b' ), $bob, array( 'tab' => 'bobtab001', 'screen' => 'dashboard' ) );
		$this->assertSame( array( $bob['id'] ), $this->ids( $b['reply']['rooms']['admin/online']['users'] ), 'the split itself: B does not see Alice' );

		wp_cache_flush(); // The option was written by php-fpm.
		$servers = wp_presence_servers();
		$this->assertCount( 2, $servers, wp_json_encode( $servers ) );
		$segments = wp_list_pluck( $servers, 'label' );
		sort( $segments );
		$this->assertStringStartsWith( '/dev/shm/presence-multi-a on ', $segments[0] );
		$this->assertStringStartsWith( '/dev/shm/presence-multi-b on ', $segments[1] );

		// A normal tick writes nothing more.
		$before = get_site_option( WP_PRESENCE_SERVERS_OPTION );
		sleep( 1 );
		$this->http_heartbeat( $this->url( 'multi-a' ), $alice, array( 'tab' => 'alicetab1', 'screen' => 'dashboard' ) );
		wp_cache_flush();
		$this->assertSame( $before, get_site_option( WP_PRESENCE_SERVERS_OPTION ) );

		$health = $this->site_health( 'multi-a', $admin )['presence_servers'];
		$this->assertSame( 'critical', $health['status'] );
		$this->assertSame( 'Presence is split between web servers', $health['label'] );
		$this->assertStringContainsString( 'presence-multi-a', $health['description'] );
		$this->assertStringContainsString( 'presence-multi-b', $health['description'] );
		$this->assertStringContainsString( 'WP_PRESENCE_BACKEND', $health['description'], 'says the fix' );
	}
}
