<?php
/**
 * Threat: REST GET returns other users' raw data (issue 8, hole 4).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * REST items carry, of other users' entries, only what Heartbeat rows show: no tab ids, no post
 * ids the viewer cannot edit (private posts, other people's drafts), no legacy `post_status`, no
 * reserved keys. The viewer's own entries show in full.
 */
class SecurityRestFieldsTest extends Presence_Security_TestCase {

	/**
	 * `group=user` (the widget's "+N more" pages) answers the Heartbeat rows of the view: the
	 * same codes, fields and policy as the entry listing, an invisible user neither listed nor
	 * counted, and bad spellings or types a 400.
	 *
	 * @dataProvider roles
	 *
	 * @param string $role Viewer's role.
	 */
	public function test_user_rows_are_the_views_rows_for_every_role( $role ) {
		$other   = $this->make_user( 'editor' );
		$private = $this->make_post( $other, array( 'post_status' => 'private', 'post_title' => 'Private' ) );
		$hidden  = $this->make_user( 'editor' );
		$this->heartbeat( $other, $this->ping( 'tabother001', array( 'screen' => 'post', 'post_id' => $private ) ), 'post' );
		wp_set_user_presence_preference( $hidden, 'invisible' );
		$this->heartbeat( $hidden, $this->ping( 'tabhidden01' ) );
		$viewer = $this->viewer( $role );

		wp_set_current_user( $viewer );
		$args = array(
			'room'  => 'admin/online',
			'group' => 'user',
		);
		$r    = $this->rest( 'GET', '/wp-presence/v1/presence', $args );
		if ( ! $viewer || ! current_user_can( 'edit_posts' ) ) {
			$this->assertSame( $viewer ? 403 : 401, $r->get_status(), $role );
			$this->assertArrayNotHasKey( 'X-WP-Total', $r->get_headers() );
			return;
		}
		$this->assertSame( 200, $r->get_status(), $role );
		$ids = array_map( 'intval', wp_list_pluck( $r->get_data(), 'user_id' ) );
		$this->assertNotContains( $hidden, $ids, "$role: an invisible user is not listed" );
		$view = WP_Presence_View::current()->rows( 'admin/online' );
		$this->assertSame( $this->ids( $view ), $this->ids( $r->get_data() ), "$role: the view's rows" );
		$this->assertSame( (string) count( $view ), $r->get_headers()['X-WP-Total'], "$role: counts what the view shows" );
		$this->assertNotContains( $hidden, $this->ids( $view ) );
		$json = wp_json_encode( $r->get_data() );
		$this->assertStringNotContainsString( 'tabother', $json, "$role: no tab id" );
		$this->assertSame( current_user_can( 'edit_post', $private ) && current_user_can( 'view_presence_location', $other ), (bool) preg_match( '/"post_id":' . $private . '[,}]/', $json ), "$role: the private post's id" );

		foreach ( array( 'USER', ' user', 'users', array( 'user' ), 1 ) as $bad ) {
			$bad_r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'group' => $bad ) + $args );
			$this->assertSame( 400, $bad_r->get_status(), $role . ': group ' . wp_json_encode( $bad ) );
			$this->assertSame( 'rest_invalid_param', $bad_r->as_error()->get_error_code() );
		}
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string $role Viewer's role.
	 */
	public function test_items_show_only_the_fields_the_viewer_may_see( $role ) {
		$other   = $this->make_user( 'editor' );
		$private = $this->make_post( $other, array( 'post_status' => 'private', 'post_title' => 'Private' ) );
		$draft   = $this->make_post( $other, array( 'post_status' => 'draft', 'post_title' => 'Draft' ) );
		$public  = $this->make_post( $other, array( 'post_title' => 'Public' ) );
		$viewer  = $this->viewer( $role );

		// The other user: a tab on each post's edit screen, the old protocol naming the private
		// post (it stores post_status), and free-form data through the PHP API.
		foreach ( array( $private, $draft, $public ) as $i => $post ) {
			$this->heartbeat( $other, $this->ping( 'tabother00' . $i, array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		}
		$this->heartbeat( $other, array( 'presence-ping' => array( 'screen' => 'post', 'post_id' => $private ) ), 'post' );
		wp_set_presence( 'admin/online', 'other-raw', array( 'screen' => 'edit-post', 'post_id' => $draft, 'secret' => 'x', 'title' => 'Sent title' ), $other );
		wp_set_presence( 'chat/free', 'other-chat', array( 'cursor' => 12 ), $other );

		// The viewer's own entries.
		if ( $viewer ) {
			wp_set_current_user( $viewer );
			wp_set_presence( 'admin/online', 'mine', array( 'screen' => 'dashboard', 'note' => 'my own' ), $viewer );
		}

		wp_set_current_user( $viewer );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) );
		if ( ! $viewer || ! current_user_can( 'edit_posts' ) ) {
			$this->assertSame( $viewer ? 403 : 401, $r->get_status(), $role );
			$this->assertArrayNotHasKey( 'X-WP-Total', $r->get_headers() );
			return;
		}
		$this->assertSame( 200, $r->get_status() );
		$rows = array_column( wp_presence_online_users(), null, 'user_id' );
		foreach ( $r->get_data() as $item ) {
			$data = (array) $item['data'];
			$this->assertArrayNotHasKey( '_wp', $data, "$role: reserved key" );
			if ( $item['user_id'] === $viewer ) {
				if ( 'mine' === $item['client_id'] ) {
					$this->assertSame( array( 'screen' => 'dashboard', 'note' => 'my own' ), $data, "$role: own entry in full" );
				}
				continue;
			}
			$this->assertSame( array(), array_diff( array_keys( $data ), array( 'screen', 'activity', 'post_id' ) ), "$role: only interpreted fields of others: " . wp_json_encode( $data ) );
			$this->assertDoesNotMatchRegularExpression( '/tabother/', $item['client_id'], "$role: no tab id" );
			if ( isset( $data['post_id'] ) ) {
				$this->assertTrue( current_user_can( 'edit_post', $data['post_id'] ), "$role: a post id they may edit only" );
			}
		}
		$items = $r->get_data();
		$json  = wp_json_encode( $items );
		$this->assertStringNotContainsString( 'post_status', $json, "$role: no legacy post_status" );
		$this->assertStringNotContainsString( 'Sent title', $json );
		$this->assertStringNotContainsString( 'secret', $json );
		// Post ids are a location: edit_post and view_presence_location (list_users) both.
		$this->assertSame( current_user_can( 'edit_post', $private ) && current_user_can( 'view_presence_location', $other ), (bool) preg_match( '/"post_id":' . $private . '[,}]/', $json ), "$role: the private post's id" );
		$this->assertSame( current_user_can( 'edit_post', $draft ) && current_user_can( 'view_presence_location', $other ), (bool) preg_match( '/"post_id":' . $draft . '[,}]/', $json ), "$role: someone else's draft" );
		// As the Heartbeat row shows it.
		$this->assertTrue( 0 === $rows[ $other ]['post_id'] || current_user_can( 'edit_post', $rows[ $other ]['post_id'] ), "$role: the same rule as the Heartbeat row" );

		// Free-form rooms: others' own data, without reserved keys.
		$chat = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'chat/free' ) )->get_data();
		$this->assertSame( array( 'cursor' => 12 ), (array) $chat[0]['data'] );

		// Post rooms: only for those who can edit the post, and with the same rules.
		foreach ( array( $private, $draft, $public ) as $post ) {
			$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => wp_presence_post_room( $post ) ) );
			if ( ! current_user_can( 'edit_post', $post ) ) {
				$this->assertSame( 403, $r->get_status(), "$role: post room of a post they cannot edit" );
				continue;
			}
			foreach ( $r->get_data() as $item ) {
				$this->assertSame( array(), array_diff( array_keys( (array) $item['data'] ), array( 'screen', 'activity', 'post_id' ) ) );
				$this->assertStringStartsWith( 'editor-' . $other . '-x', $item['client_id'], "$role: the tab id is replaced by a token" );
			}
		}
	}

	public function test_tab_tokens_name_entries_but_cannot_address_them() {
		$other = $this->make_user( 'editor' );
		$admin = $this->make_user( 'administrator' );
		$this->heartbeat( $other, $this->ping( 'tabsecret01' ) );
		$this->heartbeat( $other, $this->ping( 'tabsecret02' ) );
		wp_set_current_user( $admin );
		$ids = wp_list_pluck( $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data(), 'client_id' );
		$this->assertCount( 2, array_unique( $ids ), 'one token per entry' );
		foreach ( $ids as $id ) {
			$this->assertStringNotContainsString( 'tabsecret', $id );
			$this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => $id ) );
		}
		$this->assertCount( 2, wp_presence_store()->user_entries( $other ), 'a token is no client id' );
		wp_set_current_user( $other );
		$own = wp_list_pluck( $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data(), 'client_id' );
		sort( $own );
		$this->assertSame( array( 'tab-' . $other . '-tabsecret01', 'tab-' . $other . '-tabsecret02' ), $own, 'the user sees their own ids' );
	}
}
