<?php
/**
 * WP-CLI additions of presence-api: `set … --user=<id>`, `cleanup --yes` (issue 11).
 *
 * @package Presence
 */

require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-cli-command.php';

/**
 * Through the WP-CLI stand-in (tests/bridge/includes/wp-cli-stand-in.php).
 */
class DropInCliTest extends Presence_TestCase {

	public function test_set_with_user_and_cleanup_yes() {
		WP_CLI::$out = array();
		$cli         = new WP_Presence_CLI_Command();
		$uid         = $this->make_user( 'editor' );
		$cli->set( array( 'chat/r' ), array( 'user' => (string) $uid, 'data' => '{"k":{"n":1}}' ) );
		$entry = wp_presence_store()->get( 'chat/r', 'cli-' . $uid );
		$this->assertSame( $uid, (int) $entry['user_id'], '--user owns the entry' );
		$this->assertSame( array( 'k' => array( 'n' => 1 ), 'screen' => 'cli' ), $entry['data'] );
		$this->assertSame( WP_PRESENCE_DEFAULT_TTL, $entry['expires'] - $entry['updated'] );

		$cli->cleanup( array(), array( 'yes' => true ) );
		$this->assertNotNull( wp_presence_store()->get( 'chat/r', 'cli-' . $uid ), 'cleanup --yes alone reclaims only expired entries' );
		$cli->cleanup( array(), array( 'all' => true, 'yes' => true ) );
		$this->assertNull( wp_presence_store()->get( 'chat/r', 'cli-' . $uid ) );
		$this->assertContains( array( 'confirm', 'Remove every presence entry of this site, live ones included?' ), WP_CLI::$out );
	}
}
