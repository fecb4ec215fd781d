<?php
/**
 * The view: one decision (WP_Presence_View::see()) that every output follows, and its filter.
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/class-presence-security-testcase.php';

/**
 * A site rule set on `wp_presence_see_entry` reaches every output path.
 */
class ViewPolicyTest extends Presence_Security_TestCase {

	public function test_a_rule_on_the_filter_applies_to_every_output() {
		$shy    = $this->make_user( 'editor', array( 'display_name' => 'Shy Sam' ) );
		$other  = $this->make_user( 'editor' );
		$viewer = $this->make_user( 'administrator' );
		$post   = $this->make_post( $other );
		$this->heartbeat( $shy, $this->ping( 'tabshy0001' ) );
		$this->heartbeat( $shy, $this->ping( 'tabshy0002', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $other, $this->ping( 'taboth0001', array( 'screen' => 'upload' ) ) );
		wp_set_presence( 'chat/room', 'shy-chat', array( 'typing' => true ), $shy );

		// A site's rule: Sam's entries exist for nobody else; others' locations only for list_users.
		$this->add_test_filter(
			'wp_presence_see_entry',
			static function ( $seen, $entry, $viewer_id ) use ( $shy ) {
				if ( (int) $entry['user_id'] === $shy && $viewer_id !== $shy ) {
					return null;
				}
				if ( ! $seen['own'] && ! user_can( $viewer_id, 'list_users' ) ) {
					unset( $seen['data']['screen'] );
				}
				return $seen;
			},
			10,
			3
		);
		$rooms = array( 'admin/online', wp_presence_post_room( $post ), 'chat/room' );
		$seen  = $this->observe( $viewer, $rooms, $post, array() );
		$this->assertNotMentioned( $shy, $seen, 'filtered out of every output' );
		wp_set_current_user( $viewer );
		$this->assertSame( 'upload', $this->row_of( $other )['screen'], 'the administrator (list_users) still sees locations' );

		$editor = $this->make_user( 'editor' );
		wp_set_current_user( $editor );
		$this->assertSame( '', $this->row_of( $other )['screen'], 'an editor (no list_users) sees no location' );
		foreach ( $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data() as $item ) {
			if ( $item['user_id'] === $other ) {
				$this->assertArrayNotHasKey( 'screen', (array) $item['data'] );
			}
		}
		$this->assertSame( array(), array_values( wp_list_filter( wp_presence_online_users(), array( 'user_id' => $shy ) ) ) );

		// DELETE leaves what it cannot see alone; an id a rule hides is still nobody else's.
		$this->assertSame( 200, $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'chat/room', 'client_id' => 'shy-chat' ) )->get_status() );
		$this->assertSame( 409, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'chat/room', 'client_id' => 'shy-chat', 'data' => array() ) )->get_status() );
		$this->assertSame( $shy, wp_presence_store()->get( 'chat/room', 'shy-chat' )['user_id'], 'the entry is intact' );

		// Sam sees themself.
		wp_set_current_user( $shy );
		$this->assertContains( $shy, $this->ids( wp_presence_online_users() ) );
	}

	public function test_see_is_the_one_decision() {
		$a     = $this->make_user( 'author' );
		$b     = $this->make_user( 'editor' );
		$post  = $this->make_post( $b, array( 'post_status' => 'private' ) );
		$entry = array(
			'room'      => 'admin/online',
			'client_id' => 'tab-' . $b . '-abcdefgh',
			'user_id'   => $b,
			'data'      => array( 'screen' => 'post', 'post_id' => $post, 'post_status' => 'private', '_wp' => array( 'u' => $b ), 'x' => 1 ),
			'updated'   => 1,
			'expires'   => 2,
		);
		$seen  = wp_presence_see_entry( $entry, $a );
		$this->assertSame( array(), $seen['data'], 'an author: no view_presence_location, no location' );
		$this->add_test_filter(
			'map_meta_cap',
			static function ( $caps, $cap ) {
				return 'view_presence_location' === $cap ? array( 'edit_posts' ) : $caps;
			},
			20,
			2
		);
		$seen = wp_presence_see_entry( $entry, $a );
		$this->assertSame( array( 'screen' => 'post' ), $seen['data'], 'an author granted locations: no private post id, no private keys' );
		$this->assertStringStartsWith( 'tab-' . $b . '-x', $seen['client_id'] );
		$this->assertFalse( $seen['own'] );
		$this->assertSame( array( 'screen' => 'post', 'post_id' => $post ), wp_presence_see_entry( $entry, $this->make_user( 'administrator' ) )['data'] );
		$this->assertSame( array( 'screen' => 'post', 'post_id' => $post, 'post_status' => 'private', 'x' => 1 ), wp_presence_see_entry( $entry, $b )['data'], 'own: in full' );
		$this->assertNull( wp_presence_see_entry( $entry, $this->make_user( 'subscriber' ) ), 'no room access' );
		$this->assertNull( wp_presence_see_entry( $entry, 0 ), 'logged out' );
		$this->assertNull( wp_presence_see_entry( array( 'room' => 'Admin/Online' ) + $entry, $b ), 'not a room' );
		wp_set_user_presence_preference( $b, 'invisible' );
		$this->assertNull( wp_presence_see_entry( $entry, $a ), 'a hidden user' );
	}

	/**
	 * The current user's view of one user's row in admin/online.
	 *
	 * @param int $user_id User.
	 * @return array
	 */
	private function row_of( $user_id ) {
		$rows = array_values( wp_list_filter( wp_presence_online_users(), array( 'user_id' => $user_id ) ) );
		$this->assertCount( 1, $rows );
		return $rows[0];
	}
}
