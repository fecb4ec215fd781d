<?php
/**
 * Statuses, preferences and the combined per-user views.
 *
 * @package Presence
 */

/**
 * CONTRACT.md §2.
 */
class StatusTest extends Presence_TestCase {

	public function test_tabs_are_combined_per_user_with_the_most_present_activity() {
		$a = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'activity' => 'away' ) ) );
		$this->heartbeat( $a, $this->ping( 'tabaaaa2', array( 'activity' => 'idle' ) ) );
		wp_set_current_user( $a );
		$rows = wp_presence_online_users();
		$this->assertCount( 1, $rows, 'two tabs, one user' );
		$this->assertSame( $a, $rows[0]['user_id'] );
		$this->assertSame( 'idle', $rows[0]['status'] );
		$this->assertSame( 'Idle', $rows[0]['status_label'] );
		$this->assertSame( 'idle', wp_get_user_presence_status( $a ) );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'activity' => 'online' ) ) );
		$this->assertSame( 'online', wp_get_user_presence_status( $a ) );
		$this->assertSame(
			array( 'user_id', 'display_name', 'avatar_url', 'status', 'status_label', 'screen', 'screen_label', 'post_id', 'title', 'url', 'updated' ),
			array_keys( wp_presence_online_users()[0] )
		);
	}

	public function test_row_shows_where_the_most_present_tab_is() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a, array( 'post_title' => 'Focused' ) );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'screen' => 'post', 'post_id' => $post, 'activity' => 'online' ) ), 'post' );
		WP_Presence_Testing::advance( 5 );
		// A background tab on the dashboard writes later (e.g. its keepalive), but is away.
		$this->heartbeat( $a, $this->ping( 'tabaaaa2', array( 'activity' => 'away' ) ) );
		wp_set_current_user( $a );
		$row = wp_presence_online_users()[0];
		$this->assertSame( 'online', $row['status'] );
		$this->assertSame( 'post', $row['screen'] );
		$this->assertSame( 'Focused', $row['title'] );
		$this->assertSame( wp_presence_store()->get( 'admin/online', 'tab-' . $a . '-tabaaaa2' )['updated'], $row['updated'], 'updated: the newest write' );
	}

	public function test_closing_one_tab_keeps_the_user_online() {
		$a = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1' ) );
		$this->heartbeat( $a, $this->ping( 'tabaaaa2' ) );
		wp_remove_presence( 'admin/online', 'tab-' . $a . '-tabaaaa1' ); // pagehide of tab 1.
		$this->assertSame( array( $a ), $this->ids( wp_presence_online_users() ) );
		$this->assertSame( 'online', wp_get_user_presence_status( $a ) );
	}

	public function test_offline_without_entries() {
		$a = $this->make_user( 'editor' );
		$this->assertSame( 'offline', wp_get_user_presence_status( $a ) );
		$this->assertSame( 'offline', wp_get_user_presence_status( 0 ) );
	}

	public function test_dnd_preference_shows_while_online() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$this->assertTrue( wp_set_user_presence_preference( $a, 'dnd' ) );
		$this->assertSame( 'dnd', get_user_meta( $a, 'wp_presence_preference', true ) );
		$this->assertSame( 'offline', wp_get_user_presence_status( $a ), 'dnd only with a live tab' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1' ) );
		wp_set_current_user( $b );
		$this->assertSame( 'dnd', wp_get_user_presence_status( $a ) );
		$rows = wp_presence_online_users();
		$this->assertSame( 'dnd', $rows[0]['status'] );
		$this->assertSame( 'Do not disturb', $rows[0]['status_label'] );
	}

	public function test_invisible_hidden_from_others_shown_to_self() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1' ) );
		$this->heartbeat( $b, $this->ping( 'tabbbbb1' ) );
		$this->assertTrue( wp_set_user_presence_preference( $a, 'invisible' ) );

		wp_set_current_user( $b );
		$this->assertSame( array( $b ), $this->ids( wp_presence_online_users() ) );
		$this->assertSame( 'offline', wp_get_user_presence_status( $a ) );

		wp_set_current_user( $a );
		$this->assertSame( array( $a, $b ), $this->ids( wp_presence_online_users() ) );
		$this->assertSame( 'invisible', wp_get_user_presence_status( $a ) );

		// Still stored.
		$this->assertCount( 2, wp_get_presence( 'admin/online' ) );

		// Back to automatic: visible again at once (entries are re-stamped).
		$this->assertTrue( wp_set_user_presence_preference( $a, '' ) );
		wp_set_current_user( $b );
		$this->assertSame( array( $a, $b ), $this->ids( wp_presence_online_users() ) );
		$this->assertSame( '', get_user_meta( $a, 'wp_presence_preference', true ) );
	}

	public function test_invisible_user_with_only_third_party_entries_stays_hidden() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $a, 'invisible' );
		wp_set_presence( 'admin/online', 'sync-client', array( 'screen' => 'post' ), $a ); // No bridge card.
		wp_set_presence( 'admin/online', 'sync-client-b', array( 'screen' => 'post' ), $b );
		wp_cache_flush();
		WP_Presence_Testing::reset_caches();
		wp_set_current_user( $b );
		$this->assertSame( array( $b ), $this->ids( wp_presence_online_users() ) );
		$items = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data();
		$this->assertSame( array( $b ), array_values( array_unique( wp_list_pluck( $items, 'user_id' ) ) ) );
	}

	public function test_unknown_preference_refused() {
		$a = $this->make_user( 'editor' );
		$this->assertFalse( wp_set_user_presence_preference( $a, 'busy' ) );
		$this->assertFalse( wp_set_user_presence_preference( 999999, 'dnd' ) );
	}

	public function test_force_invisible_filter() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1' ) );
		$this->add_test_filter(
			'wp_presence_force_invisible',
			static function ( $invisible, $user_id ) use ( $a ) {
				return $user_id === $a ? true : $invisible;
			},
			10,
			2
		);
		wp_set_current_user( $b );
		$this->assertSame( array(), wp_presence_online_users() );
		$this->assertSame( 'offline', wp_get_user_presence_status( $a ) );
		wp_set_current_user( $a );
		$this->assertSame( 'invisible', wp_get_user_presence_status( $a ) );
	}

	public function test_status_labels() {
		foreach ( array( 'online', 'idle', 'away', 'dnd', 'offline', 'invisible' ) as $s ) {
			$this->assertNotSame( '', wp_presence_status_label( $s ) );
		}
		$this->assertSame( wp_presence_status_label( 'offline' ), wp_presence_status_label( 'bogus' ) );
	}

	public function test_active_posts_count_users_once_and_need_edit_rights() {
		$a    = $this->make_user( 'editor' );
		$auth = $this->make_user( 'author' );
		$post = $this->make_post( $a, array( 'post_title' => 'Secret plans' ) );
		// One user with an editor tab and a post lock: one editor.
		$this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		wp_presence_store()->upsert( wp_presence_post_room( $post ), 'lock-' . $a, $a, array( 'screen' => 'post', 'post_id' => $post ), 150 );

		wp_set_current_user( $a );
		$posts = wp_presence_active_posts();
		$this->assertCount( 1, $posts );
		$this->assertSame( $post, $posts[0]['post_id'] );
		$this->assertSame( 'Secret plans', $posts[0]['title'] );
		$this->assertStringContainsString( 'post=' . $post, $posts[0]['edit_url'] );
		$this->assertCount( 1, $posts[0]['editors'] );
		$this->assertSame( array( 'user_id', 'display_name', 'avatar_url', 'status', 'status_label' ), array_keys( $posts[0]['editors'][0] ) );
		$this->assertSame( $a, $posts[0]['editors'][0]['user_id'] );

		$editors = wp_presence_post_editors( $post );
		$this->assertSame( array( $a ), $this->ids( $editors ) );

		// An author cannot edit an editor's post: sees nothing of it.
		wp_set_current_user( $auth );
		$this->assertSame( array(), wp_presence_active_posts() );
		$this->assertSame( array(), wp_presence_post_editors( $post ) );
	}

	public function test_titles_only_for_users_who_can_edit_the_post() {
		$ed     = $this->make_user( 'editor' );
		$author = $this->make_user( 'author' );
		$post   = $this->make_post( $ed, array( 'post_title' => 'Private draft', 'post_status' => 'private' ) );
		$this->heartbeat( $ed, $this->ping( 'tabeeee1', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );

		wp_set_current_user( $ed );
		$row = wp_presence_online_users()[0];
		$this->assertSame( $post, $row['post_id'] );
		$this->assertSame( 'Private draft', $row['title'] );

		wp_set_current_user( $author );
		$rows = wp_presence_online_users();
		$this->assertSame( array( $ed ), $this->ids( $rows ) );
		$this->assertSame( 0, $rows[0]['post_id'] );
		$this->assertSame( '', $rows[0]['title'] );
		$this->assertStringNotContainsString( (string) $post, $rows[0]['url'] );
	}

	public function test_deleted_user_entries_are_skipped_in_views() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		wp_set_presence( 'admin/online', 'raw-entry', array( 'screen' => 'dashboard' ), 424242 );
		$this->heartbeat( $b, $this->ping( 'tabbbbb1' ) );
		wp_set_current_user( $a );
		$this->assertSame( array( $b ), $this->ids( wp_presence_online_users() ) );
	}
}
