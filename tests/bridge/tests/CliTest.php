<?php
/**
 * The WP-CLI command class, driven through a stand-in for WP_CLI's output functions.
 *
 * @package Presence
 */

require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-cli-command.php';

/**
 * `wp presence list|summary|set|cleanup|stats`.
 */
class CliTest extends Presence_TestCase {

	/**
	 * Command.
	 *
	 * @var WP_Presence_CLI_Command
	 */
	private $cli;

	protected function setUp(): void {
		parent::setUp();
		WP_CLI::$out = array();
		$this->cli   = new WP_Presence_CLI_Command();
	}

	/**
	 * Recorded output of one kind.
	 *
	 * @param string $kind Kind.
	 * @return array
	 */
	private function out( $kind ) {
		$found = array();
		foreach ( WP_CLI::$out as $o ) {
			if ( $o[0] === $kind ) {
				$found[] = $o[1];
			}
		}
		return $found;
	}

	public function test_set_then_list() {
		$a = $this->make_user( 'editor' );
		wp_set_current_user( $a );
		$this->cli->set( array( 'admin/online' ), array( 'data' => '{"screen":"cli","x":1}' ) );
		$this->assertSame( array( 'Set admin/online / cli-' . $a . '.' ), $this->out( 'success' ) );
		$this->cli->set( array( 'admin/online', 'custom' ), array( 'user' => $a ) );
		$this->cli->list_( array( 'admin/online' ), array( 'format' => 'json' ) );
		$items = $this->out( 'items:json' )[0];
		$this->assertSame( array( 'custom', 'cli-' . $a ), wp_list_pluck( $items, 'client_id' ) );
		$this->assertSame( '{"screen":"cli","x":1}', $items[1]['data'] );
		$this->assertSame( (string) $a, $items[0]['user_id'] );
	}

	public function test_set_rejects_bad_json() {
		$this->expectException( WP_CLI_Stand_In_Error::class );
		$this->cli->set( array( 'admin/online' ), array( 'data' => 'not json' ) );
	}

	public function test_summary_counts_users_once() {
		$a = $this->make_user( 'editor' );
		wp_set_presence( 'postType/post:1', 'editor-' . $a . '-t1', array(), $a );
		wp_set_presence( 'postType/post:1', 'lock-' . $a, array(), $a );
		wp_set_presence( 'admin/online', 'x', array(), $a );
		$this->cli->summary( array(), array( 'format' => 'table' ) );
		$rows = $this->out( 'items:table' )[0];
		$by   = array_column( $rows, null, 'room' );
		$this->assertSame( 2, $by['postType/post:1']['entries'] );
		$this->assertSame( 1, $by['postType/post:1']['users'] );
		$this->assertStringStartsWith( 'Backend: ' . wp_presence_backend(), $this->out( 'log' )[0] );
	}

	public function test_summary_network_lists_sites() {
		$a = $this->make_user( 'editor' );
		wp_set_presence( 'admin/online', 'x', array(), $a );
		$this->cli->summary( array(), array( 'network' => true, 'format' => 'json' ) );
		$rows = array_column( $this->out( 'items:json' )[0], null, 'blog_id' );
		$this->assertArrayHasKey( get_current_blog_id(), $rows );
		$this->assertSame( 1, $rows[ get_current_blog_id() ]['users'] );
		$this->assertSame( 1, $rows[ get_current_blog_id() ]['entries'] );
	}

	public function test_cleanup_expired_and_all() {
		wp_set_presence( 'r', 'a', array(), 1 );
		wp_presence_store()->upsert( 'r', 'long', 1, array(), 1000 );
		WP_Presence_Testing::advance( WP_PRESENCE_DEFAULT_TTL + 1 );
		$this->cli->cleanup( array(), array() );
		$this->assertMatchesRegularExpression( '/^Removed [1-9]\d* expired entries\.$/', $this->out( 'success' )[0] );
		$this->assertSame( array( 'long' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
		try {
			$this->cli->cleanup( array(), array( 'all' => true ) );
			$this->fail( '--all asks first' );
		} catch ( WP_CLI_Stand_In_Declined $e ) {
			$this->assertSame( array( 'long' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ), 'declined: nothing removed' );
		}
		$this->cli->cleanup( array(), array( 'all' => true, 'yes' => true ) );
		$this->assertSame( 'Removed 1 entries of this site.', $this->out( 'success' )[1] );
		$this->assertSame( array(), wp_get_presence( 'r' ) );
	}

	public function test_stats_raw() {
		wp_set_presence( 'r', 'a', array(), 1 );
		$this->cli->stats( array(), array( 'format' => 'json', 'raw' => true ) );
		$rows = array_column( $this->out( 'items:json' )[0], 'value', 'key' );
		$this->assertSame( wp_presence_backend(), $rows['backend'] );
		$this->assertSame( wp_presence_backend_reason(), $rows['reason'] );
		$this->assertArrayHasKey( 'entries', $rows );
		$this->assertArrayHasKey( 'namespace', $rows );
		$this->assertGreaterThanOrEqual( 1, (int) $rows['entries'] );
	}

	public function test_stats_is_the_readme_table() {
		wp_set_presence( 'r', 'a', array( 'x' => str_repeat( 'y', 100 ) ), 1 );
		wp_set_presence( 'r', 'b', array(), 2 );
		$this->cli->stats( array(), array( 'format' => 'json' ) );
		$rows = $this->out( 'items:json' )[0];
		$this->assertCount( 1, $rows );
		$row = $rows[0];
		$this->assertSame( array( 'backend', 'entries', 'capacity', 'entries_used_pct', 'payload_bytes', 'payload_capacity', 'payload_used_pct', 'rooms', 'recoveries', 'refusals', 'geometry_mismatch' ), array_keys( $row ) );
		$this->assertSame( wp_presence_backend(), $row['backend'] );
		$this->assertGreaterThanOrEqual( 2, $row['entries'] );
		if ( $this->on_extension() ) {
			$s = presence_stats();
			$this->assertSame( $s['capacity'], $row['capacity'] );
			$this->assertSame( round( 100 * $s['entries'] / $s['capacity'], 1 ), $row['entries_used_pct'] );
			$this->assertSame( $s['bytes_used'], $row['payload_bytes'] );
			$this->assertGreaterThan( 100, $row['payload_bytes'], 'the data is counted' );
			$this->assertSame( $s['lock_recoveries'], $row['recoveries'] );
			$this->assertSame( $s['full_refusals'], $row['refusals'] );
			$this->assertSame( $s['geometry_mismatch'] ? 'yes' : 'no', $row['geometry_mismatch'] );
		} else {
			$this->assertSame( '', $row['capacity'], 'no capacity to speak of' );
			$this->assertSame( '', $row['entries_used_pct'] );
		}

		// --check: an error only above 90% or after refusals (none here).
		WP_CLI::$out = array();
		$this->cli->stats( array(), array( 'format' => 'json', 'check' => true ) );
		$this->assertSame( array(), $this->out( 'error' ) );

		// A store 95% full fails the check, and says why.
		require_once dirname( __DIR__ ) . '/includes/class-presence-recording-store.php';
		$full = new class( wp_presence_store() ) extends Presence_Recording_Store {
			public function stats() {
				return array( 'entries' => 95, 'capacity' => 100, 'bytes_used' => 10, 'bytes_capacity' => 100, 'lock_recoveries' => 2, 'full_refusals' => 0 );
			}
		};
		$this->add_test_filter(
			'wp_presence_store',
			static function () use ( $full ) {
				return $full;
			},
			999
		);
		wp_presence_store( true );
		WP_CLI::$out = array();
		try {
			$this->cli->stats( array(), array( 'check' => true ) );
			$this->fail( 'no error' );
		} catch ( WP_CLI_Stand_In_Error $e ) {
			$this->assertSame( 'presence 95% used, 0 refusals, 2 recoveries', $e->getMessage() );
		} finally {
			remove_all_filters( 'wp_presence_store', 999 );
			wp_presence_store( true );
		}
		$this->assertSame( 95.0, $this->out( 'items:table' )[0][0]['entries_used_pct'] );
	}
}
