<?php
/**
 * The bridge refuses to run next to presence-api itself.
 *
 * @package Presence
 */

/**
 * Runs a fresh PHP process per case (functions cannot be undefined in this one).
 */
class ConflictTest extends Presence_TestCase {

	/**
	 * Runs the probe.
	 *
	 * @param string $mode 'function' (presence-api loaded first) or 'option' (active, loads later).
	 * @return array
	 */
	private function probe( $mode ) {
		$cmd = escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( dirname( __DIR__ ) . '/fixtures/conflict-probe.php' ) . ' ' . escapeshellarg( ABSPATH ) . ' ' . escapeshellarg( $mode ) . ' 2>&1';
		$out = shell_exec( $cmd );
		$json = json_decode( (string) substr( (string) $out, (int) strpos( (string) $out, '{"bridge_loaded"' ) ), true );
		$this->assertIsArray( $json, (string) $out );
		return $json;
	}

	/**
	 * @dataProvider modes
	 */
	public function test_refuses_to_run_with_presence_api( $mode, $own_function ) {
		$r = $this->probe( $mode );
		$this->assertFalse( $r['bridge_loaded'], 'bridge stood down' );
		$this->assertFalse( $r['bridge_functions'] );
		$this->assertFalse( $r['heartbeat_hooked'] );
		$this->assertStringContainsString( 'presence-api plugin is active', $r['notice'] );
		$this->assertStringContainsString( 'notice-error', $r['notice'] );
		if ( $own_function ) {
			$this->assertSame( array( 'presence-api' ), $r['get_presence_result'], "presence-api's function is left alone" );
		}
	}

	public function test_installed_as_presence_api_itself_it_runs() {
		$link = WP_PLUGIN_DIR . '/presence-api';
		$this->assertFalse( file_exists( $link ), 'no presence-api directory yet' );
		symlink( WP_PRESENCE_BRIDGE_DIR, $link );
		try {
			$r = $this->probe( 'self' );
		} finally {
			unlink( $link );
		}
		$this->assertTrue( $r['bridge_loaded'], 'a documented install under the slug presence-api' );
		$this->assertSame( 'presence-api/presence.php', $r['bridge_basename'] );
		$this->assertStringNotContainsString( 'presence-api plugin is active', $r['notice'] );
	}

	public function modes() {
		return array(
			'presence-api loaded first' => array( 'function', true ),
			'presence-api active'       => array( 'option', false ),
		);
	}
}
