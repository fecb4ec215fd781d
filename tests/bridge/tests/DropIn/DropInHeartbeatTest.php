<?php
/**
 * The old Heartbeat protocol's shapes, as presence-api's callers read them (issue 11).
 *
 * @package Presence
 */

/**
 * presence-active-posts items, the ping's post_status, the post-lock entry's data.
 */
class DropInHeartbeatTest extends Presence_TestCase {

	public function test_active_posts_items_carry_post_title_post_id_and_edit_url() {
		$a    = $this->make_user( 'editor' );
		$b    = $this->make_user( 'editor' );
		$post = $this->make_post( $a, array( 'post_title' => 'Drafting <em>things</em>' ) );
		$this->heartbeat( $a, array( 'presence-editor-ping' => array( 'post_id' => $post ) ), 'post' );
		$posts = $this->heartbeat( $b, array( 'presence-active-posts-ping' => true ) )['presence-active-posts'];
		$this->assertCount( 1, $posts );
		$this->assertSame( $post, $posts[0]['post_id'] );
		$this->assertSame( 'Drafting things', $posts[0]['post_title'], 'plain text, as every title the bridge returns' );
		$this->assertSame( get_edit_post_link( $post, 'raw' ), $posts[0]['edit_url'] );
		$this->assertSame( array( $a ), $this->ids( $posts[0]['editors'] ) );
		foreach ( array( 'user_id', 'display_name', 'avatar_url', 'status' ) as $key ) {
			$this->assertArrayHasKey( $key, $posts[0]['editors'][0] );
		}
	}

	public function test_ping_on_a_post_screen_stores_the_post_status() {
		$a     = $this->make_user( 'editor' );
		$draft = $this->make_post( $a, array( 'post_status' => 'draft' ) );
		$this->heartbeat( $a, array( 'presence-ping' => array( 'screen' => 'post', 'post_id' => $draft ) ), 'post' );
		$entry = wp_presence_store()->get( 'admin/online', 'user-' . $a );
		$this->assertSame( 'draft', $entry['data']['post_status'] );
		$this->assertSame( $draft, $entry['data']['post_id'] );
		$this->assertSame( 'draft', wp_get_presence( 'admin/online' )[0]->data['post_status'], 'as wp_get_presence() returns it' );

		// Only for a post the user can edit.
		$other = $this->make_post( $this->make_user( 'editor' ), array( 'post_status' => 'private' ) );
		$c     = $this->make_user( 'author' );
		$this->heartbeat( $c, array( 'presence-ping' => array( 'screen' => 'post', 'post_id' => $other ) ), 'post' );
		$this->assertArrayNotHasKey( 'post_status', wp_presence_store()->get( 'admin/online', 'user-' . $c )['data'] );
	}

	public function test_post_lock_entry_carries_action_editing() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$entries = wp_get_presence( wp_presence_post_room( $post ), null, 'lock-' );
		$this->assertCount( 1, $entries );
		$this->assertSame( 'lock-' . $a, $entries[0]->client_id );
		$this->assertSame( 'editing', $entries[0]->data['action'] );
	}

	public function test_editor_state_filter_shapes_the_editor_entry() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->add_test_filter(
			'wp_presence_editor_state',
			static function ( $state, $post_id, $user_id ) use ( $post, $a ) {
				return $post_id === $post && $user_id === $a ? array_merge( $state, array( 'mode' => 'visual' ) ) : $state;
			},
			10,
			3
		);
		$this->heartbeat( $a, array( 'presence-editor-ping' => array( 'post_id' => $post ) ), 'post' );
		$entries = wp_get_presence( wp_presence_post_room( $post ), null, 'editor-' );
		$this->assertCount( 1, $entries );
		$this->assertSame( array( 'screen' => 'post', 'post_id' => $post, 'mode' => 'visual' ), $entries[0]->data );
	}

	public function test_editor_state_filter_shapes_each_tabs_editor_entry_of_the_current_protocol() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->add_test_filter(
			'wp_presence_editor_state',
			static function ( $state, $post_id, $user_id ) use ( $post, $a ) {
				return $post_id === $post && $user_id === $a ? array_merge( $state, array( 'mode' => 'code' ) ) : $state;
			},
			10,
			3
		);
		$this->heartbeat(
			$a,
			$this->ping(
				'leadtab01',
				array(
					'screen'  => 'post',
					'post_id' => $post,
					'tabs'    => array( array( 'tab' => 'follow001', 'screen' => 'post', 'activity' => 'idle', 'post_id' => $post ) ),
				)
			),
			'post'
		);
		$store = wp_presence_store();
		foreach ( array( 'leadtab01', 'follow001' ) as $tab ) {
			$editor = $store->get( wp_presence_post_room( $post ), "editor-$a-$tab" );
			$this->assertNotNull( $editor, "$tab has an editor entry" );
			$this->assertSame( 'code', $editor['data']['mode'], 'the filter shaped the editor entry' );
			$this->assertArrayNotHasKey( 'mode', $store->get( 'admin/online', "tab-$a-$tab" )['data'], 'the admin room entry is not an editor entry' );
		}
	}
}
