<?php
/**
 * Threat: a front-end ping naming a post makes its viewer an editor (issue 8, hole 8).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * Only a ping from the post type's edit screen (Heartbeat's screen id and the ping's screen both
 * the post's type) puts its writer in a post room, in the new and the old protocol.
 */
class SecurityFrontEndPingTest extends Presence_Security_TestCase {

	/**
	 * @dataProvider writer_roles
	 *
	 * @param string $role Role.
	 */
	public function test_only_the_edit_screen_makes_an_editor_entry( $role ) {
		$user  = $this->viewer( $role );
		$post  = $this->make_post( $user, array( 'post_status' => 'draft' ) );
		$page  = user_can( $user, 'edit_pages' ) ? $this->make_post( $user, array( 'post_type' => 'page', 'post_status' => 'draft' ) ) : 0;
		$room  = wp_presence_post_room( $post );
		$other = $this->make_user( 'administrator' ); // list_users: sees where others are (view_presence_location).

		// Front end (the admin bar's script names the post being viewed), and mismatched screens.
		$pings = array(
			array( 'front', 'front' ),
			array( 'front', 'post' ),
			array( 'post', 'front' ),
			array( 'edit-post', 'edit-post' ),
			array( 'dashboard', 'dashboard' ),
			array( 'page', 'page' ), // Another post type's edit screen.
		);
		foreach ( $pings as $i => $ping ) {
			list( $screen, $screen_id ) = $ping;
			$this->heartbeat( $user, $this->ping( 'tabfront' . sprintf( '%02d', $i ), array( 'screen' => $screen, 'post_id' => $post ) ), $screen_id );
			if ( 'post' !== $screen_id ) { // The old protocol only has Heartbeat's screen id.
				$this->heartbeat( $user, array( 'presence-editor-ping' => array( 'post_id' => $post ) ), $screen_id );
			}
		}
		$this->assertSame( array(), wp_presence_store()->room( $room ), "$role: no editor entry from the front end" );
		wp_set_current_user( $other );
		$this->assertSame( array(), wp_presence_post_editors( $post ), "$role: nobody editing" );
		$this->assertSame( array(), wp_presence_active_posts() );
		// The front-end tab still names the post to those who can edit it.
		$rows = wp_list_filter( wp_presence_online_users(), array( 'user_id' => $user ) );
		$this->assertSame( $post, reset( $rows )['post_id'] );

		// From the edit screen: both protocols.
		$this->heartbeat( $user, $this->ping( 'tabedit001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $user, array( 'presence-editor-ping' => array( 'post_id' => $post ) ), 'post' );
		$ids = wp_list_pluck( wp_presence_store()->room( $room ), 'client_id' );
		sort( $ids );
		$this->assertSame( array( 'editor-' . $user, 'editor-' . $user . '-tabedit001' ), $ids, "$role: the editor's entries" );
		if ( $page ) {
			$this->heartbeat( $user, $this->ping( 'tabedit002', array( 'screen' => 'page', 'post_id' => $page ) ), 'page' );
			$this->assertNotNull( wp_presence_store()->get( wp_presence_post_room( $page ), 'editor-' . $user . '-tabedit002' ), "$role: a page's edit screen is 'page'" );
		}
	}
}
