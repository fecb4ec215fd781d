<?php
/**
 * Threat: impersonation through the reserved `_wp` card (issue 8, hole 6).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * A caller's `_wp` never survives a write (wp_set_presence(), REST, Heartbeat, WP-CLI), and a
 * card that names anyone but the entry's user is ignored on read: the name and avatar shown for
 * an entry always come from its real user.
 */
class SecurityReservedKeysTest extends Presence_Security_TestCase {

	const FAKE_NAME   = 'The Site Owner';
	const FAKE_AVATAR = 'https://evil.example/owner.png';

	/**
	 * @dataProvider writer_roles
	 *
	 * @param string $role The impersonator's role.
	 */
	public function test_a_callers_card_never_survives_and_never_shows( $role ) {
		$owner    = $this->make_user( 'administrator', array( 'display_name' => self::FAKE_NAME ) );
		$attacker = $this->viewer( $role );
		$forged   = array(
			'u' => $owner,
			'n' => self::FAKE_NAME,
			'a' => self::FAKE_AVATAR,
			'p' => '',
		);
		$post     = $this->make_post( $attacker, array( 'post_status' => 'draft' ) );
		wp_set_current_user( $attacker );

		// Every write path, as a plugin forwarding client state would call them.
		$this->assertTrue( wp_set_presence( 'admin/online', 'sync-1', array( 'screen' => 'dashboard', '_wp' => $forged ), $attacker ) );
		$this->assertTrue( wp_set_presence( wp_presence_post_room( $post ), 'sync-2', array( '_wp' => $forged ), $attacker ) );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'rest-1', 'data' => array( '_wp' => $forged ) ) )->get_status() );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'chat/room', 'client_id' => 'rest-2', 'data' => array( '_wp' => $forged, 'x' => 1 ) ) )->get_status() );
		$this->heartbeat( $attacker, $this->ping( 'tabforge01', array( '_wp' => $forged ) ) );
		$this->heartbeat( $attacker, array( 'presence-ping' => array( 'screen' => 'dashboard', '_wp' => $forged ) ) );
		$this->cli( 'set', array( 'chat/room', 'cli-1' ), array( 'user' => $attacker, 'data' => wp_json_encode( array( '_wp' => $forged ) ) ) );

		foreach ( array( 'admin/online', wp_presence_post_room( $post ), 'chat/room' ) as $room ) {
			foreach ( wp_presence_store()->room( $room ) as $entry ) {
				if ( isset( $entry['data']['_wp'] ) ) {
					$this->assertSame( $attacker, $entry['data']['_wp']['u'], "$role: only the bridge's own card is stored ({$entry['client_id']})" );
					$this->assertSame( get_userdata( $attacker )->display_name, $entry['data']['_wp']['n'] );
				}
			}
		}
		$this->assert_shown_as_themself( $attacker, $post, $role );
	}

	/**
	 * Cards stored before the key was reserved on every path (or by other code through the
	 * store) are only believed for the user they name.
	 *
	 * @dataProvider writer_roles
	 *
	 * @param string $role The impersonator's role.
	 */
	public function test_stored_cards_of_someone_else_are_ignored( $role ) {
		$owner    = $this->make_user( 'administrator', array( 'display_name' => self::FAKE_NAME ) );
		$attacker = $this->viewer( $role );
		$post     = $this->make_post( $attacker, array( 'post_status' => 'draft' ) );
		$store    = wp_presence_store();
		$store->upsert( 'admin/online', 'old-1', $attacker, array( '_wp' => array( 'n' => self::FAKE_NAME, 'a' => self::FAKE_AVATAR, 'p' => '' ) ), 60 );
		$store->upsert( 'admin/online', 'old-2', $attacker, array( '_wp' => array( 'u' => $owner, 'n' => self::FAKE_NAME, 'a' => self::FAKE_AVATAR, 'p' => '' ) ), 60 );
		$store->upsert( wp_presence_post_room( $post ), 'old-3', $attacker, array( '_wp' => array( 'u' => (string) $owner, 'n' => array( 'x' ), 'a' => array() ) ), 60 );
		$this->assert_shown_as_themself( $attacker, $post, $role );
	}

	/**
	 * Every viewer sees the attacker as the attacker.
	 *
	 * @param int    $attacker Attacker.
	 * @param int    $post     The attacker's draft.
	 * @param string $role     Role.
	 * @return void
	 */
	private function assert_shown_as_themself( $attacker, $post, $role ) {
		$rooms = array( 'admin/online', wp_presence_post_room( $post ), 'chat/room' );
		$admin = $this->make_user( 'administrator' );
		foreach ( array( $this->make_user( 'editor' ), $admin, $attacker ) as $viewer ) {
			$seen = wp_json_encode( $this->observe( $viewer, $rooms, $post, array( $attacker ) ) );
			$this->assertStringNotContainsString( self::FAKE_AVATAR, str_replace( '\\/', '/', $seen ), "$role: no forged avatar" );
			$this->assertStringNotContainsString( 'evil.example', $seen );
			$this->assertStringNotContainsString( self::FAKE_NAME, $seen, "$role: no forged name" );
			wp_set_current_user( $viewer );
			foreach ( wp_presence_online_users() as $row ) {
				if ( $row['user_id'] === $attacker ) {
					$this->assertSame( get_userdata( $attacker )->display_name, $row['display_name'], "$role: the real name" );
				}
			}
			foreach ( $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data() as $item ) {
				if ( $item['user_id'] === $attacker ) {
					$this->assertSame( get_userdata( $attacker )->display_name, $item['display_name'], "$role: REST shows the real name" );
					$this->assertArrayNotHasKey( '_wp', (array) $item['data'] );
				}
			}
			foreach ( wp_presence_active_posts() as $row ) {
				foreach ( $row['editors'] as $editor ) {
					$this->assertNotSame( self::FAKE_NAME, $editor['display_name'] );
				}
			}
		}
		// The forged name belongs to a real user who is not online: it appears nowhere.
		wp_set_current_user( $admin );
		$this->assertNotContains( self::FAKE_NAME, wp_list_pluck( wp_presence_online_users(), 'display_name' ) );
	}
}
