<?php
/**
 * The stale-screen warning: revisions in the store, the Heartbeat reply, the REST check, access.
 *
 * @package Presence
 */

/**
 * "X updated this screen".
 */
class StaleScreenTest extends Presence_TestCase {

	/**
	 * Bumps seen through the action.
	 *
	 * @var array[]
	 */
	private $bumps = array();

	/**
	 * Globals the tests change, restored afterwards.
	 *
	 * @var array
	 */
	private $saved_globals = array();

	protected function setUp(): void {
		parent::setUp();
		$this->saved_globals = array(
			'pagenow'      => isset( $GLOBALS['pagenow'] ) ? $GLOBALS['pagenow'] : null,
			'request_time' => isset( $_SERVER['REQUEST_TIME'] ) ? $_SERVER['REQUEST_TIME'] : null,
		);
		$this->bumps = array();
		$this->add_test_filter(
			'wp_presence_screen_revision_bumped',
			function ( $key, $rev, $actor ) {
				$this->bumps[] = array( $key, $rev, $actor );
			},
			10,
			3
		);
	}

	protected function tearDown(): void {
		unset( $GLOBALS['current_screen'], $GLOBALS['allowed_options'] );
		$GLOBALS['pagenow']      = $this->saved_globals['pagenow']; // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		$_SERVER['REQUEST_TIME'] = $this->saved_globals['request_time'];
		$_POST = array();
		$_GET  = array();
		parent::tearDown();
	}

	/**
	 * A `wp-presence-screen` Heartbeat.
	 *
	 * @param int    $user User.
	 * @param string $key  Screen key.
	 * @param mixed  $rev  Revision the page has.
	 * @return array|null The reply's `wp-presence-screen`, or null.
	 */
	private function tick( $user, $key, $rev ) {
		wp_set_current_user( $user );
		$r = $this->heartbeat( $user, array( 'wp-presence-screen' => array( 'key' => $key, 'rev' => $rev ) ), 'post' );
		return isset( $r['wp-presence-screen'] ) ? $r['wp-presence-screen'] : null;
	}

	/**
	 * What a page opened now (a new request, a second after the last save) was rendered with.
	 *
	 * @param string $key Key.
	 * @return int
	 */
	private function render( $key ) {
		WP_Presence_Testing::advance( 1 );
		$_SERVER['REQUEST_TIME'] = time();
		return wp_presence_screen_baseline( $key );
	}

	/**
	 * The current revision number of a key (0 when none).
	 *
	 * @param string $key Key.
	 * @return int
	 */
	private function rev( $key ) {
		$r = wp_presence_screen_revision( $key );
		return $r ? $r['r'] : 0;
	}

	public function test_keys_are_exact() {
		foreach ( array( 'post:1', 'user:12', 'term:3', 'comment:9', 'options:general', 'options:my_plugin-group', 'privacy', 'network:settings', 'network:wp_presence' ) as $good ) {
			$this->assertTrue( wp_presence_screen_key_is_valid( $good ), $good );
		}
		foreach ( array( 'POST:1', 'post: 1', ' post:1', "post:1\n", 'post:0', 'post:01', 'post:-1', 'post:1:2', 'page:1', 'options:', 'options:a b', 'options:<x>', 'network:other', 'privacy ', 'post:' . str_repeat( '9', 20 ), 'options:' . str_repeat( 'a', 101 ), '', array( 'post:1' ), 1 ) as $bad ) {
			$this->assertFalse( wp_presence_screen_key_is_valid( $bad ), var_export( $bad, true ) );
		}
	}

	public function test_saves_bump_their_screen() {
		$a = $this->make_user( 'administrator' );
		wp_set_current_user( $a );

		$post = $this->make_post( $a );
		$this->assertSame( 'post:' . $post, end( $this->bumps )[0] );
		$this->assertSame( $a, end( $this->bumps )[2], 'the action names who saved' );
		$this->assertSame( $this->rev( 'post:' . $post ), end( $this->bumps )[1] );
		$before = $this->rev( 'post:' . $post );
		wp_update_post( array( 'ID' => $post, 'post_title' => 'Changed' ) );
		$this->assertGreaterThan( $before, $this->rev( 'post:' . $post ) );

		$user = $this->make_user( 'editor' );
		wp_update_user( array( 'ID' => $user, 'first_name' => 'Changed' ) );
		$this->assertGreaterThan( 0, $this->rev( 'user:' . $user ) );

		$term = wp_insert_term( 'Topic ' . wp_rand(), 'category' );
		wp_update_term( $term['term_id'], 'category', array( 'name' => 'Renamed ' . wp_rand() ) );
		$this->assertGreaterThan( 0, $this->rev( 'term:' . $term['term_id'] ) );

		$comment = wp_insert_comment( array( 'comment_post_ID' => $post, 'comment_content' => 'Hi', 'comment_approved' => 1 ) );
		$this->assertSame( 0, $this->rev( 'comment:' . $comment ), 'a new comment has no screen open yet' );
		wp_update_comment( array( 'comment_ID' => $comment, 'comment_content' => 'Edited' ) );
		$this->assertGreaterThan( 0, $this->rev( 'comment:' . $comment ) );
		$edited = $this->rev( 'comment:' . $comment );
		wp_set_comment_status( $comment, 'hold' );
		$this->assertGreaterThan( $edited, $this->rev( 'comment:' . $comment ), 'a status change is a save too' );

		// Through the REST settings route (core registers its settings there): the setting's group.
		$r = $this->rest( 'POST', '/wp/v2/settings', array( 'description' => 'Another tagline ' . wp_rand() ) );
		$this->assertSame( 200, $r->get_status() );
		$this->assertGreaterThan( 0, $this->rev( 'options:general' ), 'a registered setting bumps its page' );
		update_option( WP_PRESENCE_IDLE_OPTION, 77 );
		$this->assertGreaterThan( 0, $this->rev( 'options:' . WP_PRESENCE_SETTINGS_GROUP ) );

		update_option( 'wp_page_for_privacy_policy', $post );
		$this->assertGreaterThan( 0, $this->rev( 'privacy' ) );
		$privacy = $this->rev( 'privacy' );
		wp_update_post( array( 'ID' => $post, 'post_content' => 'Our policy' ) );
		$this->assertGreaterThan( $privacy, $this->rev( 'privacy' ), 'editing the policy page changes the Privacy screen' );
	}

	public function test_options_php_bumps_the_page_it_saves() {
		global $pagenow, $allowed_options;
		wp_set_current_user( $this->make_user( 'administrator' ) );
		// What options.php has set up when it saves Settings → Reading.
		$pagenow               = 'options.php'; // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		$allowed_options       = array( 'reading' => array( 'posts_per_rss', 'blog_public' ) ); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		$_POST['option_page']  = 'reading';
		update_option( 'posts_per_rss', (int) get_option( 'posts_per_rss' ) + 1 );
		$this->assertGreaterThan( 0, $this->rev( 'options:reading' ) );
		$this->assertSame( 0, $this->rev( 'options:general' ) );
		// Not one of the page's options (a transient, a plugin's cache): no bump.
		$count = count( $this->bumps );
		update_option( 'some_plugin_cache', wp_rand() );
		set_transient( 'some_transient', wp_rand() );
		$this->assertCount( $count, $this->bumps );
		// An unchanged value is no save.
		update_option( 'posts_per_rss', get_option( 'posts_per_rss' ) );
		$this->assertCount( $count, $this->bumps );
	}

	public function test_no_bump_for_autosaves_revisions_drafts_or_hidden_types() {
		$a = $this->make_user( 'administrator' );
		wp_set_current_user( $a );
		$post = $this->make_post( $a );
		$this->bumps = array();
		wp_save_post_revision( $post );
		wp_insert_post( array( 'post_type' => 'revision', 'post_parent' => $post, 'post_name' => $post . '-autosave-v1', 'post_status' => 'inherit', 'post_title' => 'auto' ) );
		wp_insert_post( array( 'post_title' => 'Auto', 'post_status' => 'auto-draft' ) );
		register_post_type( 'presence_hidden', array( 'show_ui' => false ) );
		wp_insert_post( array( 'post_type' => 'presence_hidden', 'post_title' => 'x', 'post_status' => 'publish' ) );
		unregister_post_type( 'presence_hidden' );
		$this->assertSame( array(), $this->bumps );
		$this->add_test_filter( 'wp_presence_bump_screen_revision', '__return_false' );
		wp_update_post( array( 'ID' => $post, 'post_title' => 'Bulk' ) );
		$this->assertSame( array(), $this->bumps, 'the filter (false while importing) skips the bump' );
	}

	public function test_revisions_grow_and_never_repeat() {
		$this->add_test_filter(
			'wp_presence_screen_revision_ttl',
			static function () {
				return 60;
			}
		);
		$a  = $this->make_user( 'administrator' );
		$r1 = wp_presence_bump_screen_revision( 'options:general', $a );
		$r2 = wp_presence_bump_screen_revision( 'options:general', $a );
		$this->assertGreaterThan( $r1, $r2, 'two saves in one second still differ' );
		$this->assertGreaterThanOrEqual( WP_Presence_Testing::now() * 1000, $r1 );
		WP_Presence_Testing::advance( 61 );
		$this->assertNull( wp_presence_screen_revision( 'options:general' ), 'expired' );
		$r3 = wp_presence_bump_screen_revision( 'options:general', $a );
		$this->assertGreaterThan( $r2, $r3, 'after expiry the revision is still newer' );
	}

	public function test_reply_names_the_other_saver_and_never_the_saver() {
		$viewer = $this->make_user( 'editor', array( 'display_name' => 'Viewer' ) );
		$saver  = $this->make_user( 'editor' );
		// WordPress strips tags from names it saves; names also arrive raw (imports, SSO).
		$GLOBALS['wpdb']->update( $GLOBALS['wpdb']->users, array( 'display_name' => 'Saver <b>S</b>' ), array( 'ID' => $saver ) );
		clean_user_cache( $saver );
		$post   = $this->make_post( $viewer );
		$key    = 'post:' . $post;
		$rendered = $this->render( $key );
		$this->assertNull( $this->tick( $viewer, $key, $rendered ), 'nothing while nobody saved' );

		wp_set_current_user( $saver );
		wp_update_post( array( 'ID' => $post, 'post_title' => 'Saved by S' ) );
		$reply = $this->tick( $viewer, $key, $rendered );
		$this->assertNotNull( $reply );
		$this->assertSame( $key, $reply['key'] );
		$this->assertSame( $this->rev( $key ), $reply['rev'] );
		$this->assertSame( 'Saver <b>S</b>', $reply['by'], 'plain text; the script inserts it as text' );
		$this->assertStringStartsWith( 'Saver <b>S</b> updated this screen at ', $reply['message'] );
		$this->assertEqualsWithDelta( WP_Presence_Testing::now(), $reply['at'], 2 );

		$this->assertNull( $this->tick( $saver, $key, $rendered ), 'the saver never sees it' );
		$this->assertNull( $this->tick( $viewer, $key, $reply['rev'] ), 'once told, quiet' );

		wp_set_current_user( $saver );
		wp_update_post( array( 'ID' => $post, 'post_title' => 'Saved again' ) );
		$again = $this->tick( $viewer, $key, $reply['rev'] );
		$this->assertNotNull( $again, 'saved again: it comes back' );
		$this->assertGreaterThan( $reply['rev'], $again['rev'] );
	}

	public function test_own_later_save_does_not_hide_an_earlier_save_by_someone_else() {
		$a    = $this->make_user( 'editor', array( 'display_name' => 'Ann' ) );
		$b    = $this->make_user( 'editor', array( 'display_name' => 'Ben' ) );
		$c    = $this->make_user( 'editor', array( 'display_name' => 'Cid' ) );
		$post = $this->make_post( $a );
		$key  = 'post:' . $post;
		$seen = $this->render( $key );
		wp_presence_bump_screen_revision( $key, $b );
		wp_presence_bump_screen_revision( $key, $a );
		$this->assertSame( 'Ben', $this->tick( $a, $key, $seen )['by'], 'Ann\'s other tab hears of Ben\'s save' );
		$this->assertSame( 'Ann', $this->tick( $c, $key, $seen )['by'], 'Cid hears of the latest' );
		$this->assertNull( $this->tick( $b, $key, $this->rev( $key ) ) );
	}

	public function test_invisible_savers_are_someone() {
		$viewer = $this->make_user( 'editor' );
		$saver  = $this->make_user( 'editor', array( 'display_name' => 'Hidden Hannah' ) );
		$post   = $this->make_post( $viewer );
		$key    = 'post:' . $post;
		wp_set_user_presence_preference( $saver, 'invisible' );
		wp_presence_bump_screen_revision( $key, $saver );
		$reply = $this->tick( $viewer, $key, 0 );
		$this->assertSame( '', $reply['by'] );
		$this->assertStringStartsWith( 'Someone updated this screen at ', $reply['message'] );
		$this->assertStringNotContainsString( 'Hannah', wp_json_encode( $reply ) );

		wp_set_user_presence_preference( $saver, '' );
		$this->add_test_filter(
			'wp_presence_force_invisible',
			static function ( $hidden, $uid ) use ( $saver ) {
				return $uid === $saver ? true : $hidden;
			},
			10,
			2
		);
		wp_presence_bump_screen_revision( $key, $saver );
		$this->assertSame( '', $this->tick( $viewer, $key, 0 )['by'], 'forced invisible too' );
	}

	public function test_who_cannot_view_the_screen_learns_nothing() {
		$admin    = $this->make_user( 'administrator' );
		$editor   = $this->make_user( 'editor' );
		$author   = $this->make_user( 'author' );
		$contrib  = $this->make_user( 'contributor' );
		$sub      = $this->make_user( 'subscriber' );
		$own_post = $this->make_post( $author );
		$private  = $this->make_post( $admin, array( 'post_status' => 'private' ) );
		foreach ( array( 'post:' . $own_post, 'post:' . $private, 'user:' . $editor, 'user:' . $admin, 'options:general', 'privacy' ) as $key ) {
			wp_presence_bump_screen_revision( $key, $admin );
		}
		$expect = array(
			// key => users who may view it.
			'post:' . $own_post => array( $editor, $author ),
			'post:' . $private  => array( $editor ),
			'user:' . $editor   => array( $editor ),
			'user:' . $admin    => array(),
			'options:general'   => array(),
			'privacy'           => array(),
		);
		foreach ( $expect as $key => $allowed ) {
			foreach ( array( $editor, $author, $contrib, $sub ) as $who ) {
				$reply = $this->tick( $who, $key, 0 );
				if ( in_array( $who, $allowed, true ) ) {
					$this->assertNotNull( $reply, $key . ' for ' . get_userdata( $who )->roles[0] );
				} else {
					$this->assertNull( $reply, $key . ' hidden from ' . get_userdata( $who )->roles[0] );
				}
			}
		}
		// A missing object looks like a forbidden one.
		$this->assertNull( $this->tick( $admin, 'post:999999999', 0 ) );
		$this->assertNull( $this->tick( 0, 'post:' . $own_post, 0 ), 'logged out' );
		if ( ! is_multisite() ) {
			wp_presence_bump_screen_revision( 'network:settings', $admin );
			$this->assertNull( $this->tick( $admin, 'network:settings', 0 ), 'no network screens on a single site' );
		}
	}

	public function test_hostile_heartbeat_input_is_ignored() {
		$a    = $this->make_user( 'administrator' );
		$post = $this->make_post( $a );
		wp_presence_bump_screen_revision( 'post:' . $post, $this->make_user( 'editor' ) );
		$bad = array(
			array( 'key' => 'POST:' . $post, 'rev' => 0 ),
			array( 'key' => ' post:' . $post, 'rev' => 0 ),
			array( 'key' => array( 'post:' . $post ), 'rev' => 0 ),
			array( 'key' => 'post:' . $post, 'rev' => -1 ),
			array( 'key' => 'post:' . $post, 'rev' => 'abc' ),
			array( 'key' => 'post:' . $post, 'rev' => array( 1 ) ),
			array( 'key' => 'post:' . $post, 'rev' => str_repeat( '9', 40 ) ),
			array( 'key' => 'post:' . $post ),
			'post:' . $post,
			array( 'key' => '_screen/post:' . $post, 'rev' => 0 ),
		);
		foreach ( $bad as $in ) {
			$r = $this->heartbeat( $a, array( 'wp-presence-screen' => $in ), 'post' );
			$this->assertArrayNotHasKey( 'wp-presence-screen', $r, wp_json_encode( $in ) );
		}
		$this->assertNotNull( $this->tick( $a, 'post:' . $post, '0' ), 'the well-formed request answers' );
	}

	public function test_revision_rooms_are_closed() {
		$a    = $this->make_user( 'administrator' );
		$post = $this->make_post( $a );
		wp_presence_bump_screen_revision( 'post:' . $post, $a );
		$room = WP_PRESENCE_SCREEN_ROOM_PREFIX . 'post:' . $post;
		$this->assertFalse( wp_can_access_presence_room( $room, $a ) );
		wp_set_current_user( $a );
		$this->assertSame( 403, $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => $room ) )->get_status() );
		$this->assertSame( 403, $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'rev' ) )->get_status() );
		$this->assertSame( 403, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'rev', 'data' => array( 'r' => 1 ) ) )->get_status() );
		$rooms = wp_list_pluck( $this->rest( 'GET', '/wp-presence/v1/presence/rooms' )->get_data(), 'room' );
		$this->assertNotContains( $room, $rooms );
		$this->assertNotNull( wp_presence_screen_revision( 'post:' . $post ), 'untouched' );
	}

	public function test_rest_check() {
		$editor = $this->make_user( 'editor' );
		$sub    = $this->make_user( 'subscriber' );
		$post   = $this->make_post( $editor );
		$key    = 'post:' . $post;

		wp_set_current_user( $editor );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => $key ) );
		$this->assertSame( 200, $r->get_status() );
		$this->assertSame( array( 'screen_key' => $key, 'rev' => $this->rev( $key ) ), $r->get_data() );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		wp_presence_bump_screen_revision( $key, $sub );
		$this->assertSame( $this->rev( $key ), $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => $key ) )->get_data()['rev'] );

		$bad = $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => 'Post:1' ) );
		$this->assertSame( 400, $bad->get_status() );
		$this->assertSame( 'rest_invalid_param', $bad->get_data()['code'] );
		$this->assertSame( 400, $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array() )->get_status() );

		wp_set_current_user( $sub );
		$forbidden = $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => $key ) );
		$missing   = $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => 'post:999999999' ) );
		$this->assertSame( 403, $forbidden->get_status() );
		$this->assertSame( 'rest_forbidden', $forbidden->get_data()['code'] );
		$this->assertSame( $forbidden->get_data(), $missing->get_data(), 'missing and forbidden look the same' );
		wp_set_current_user( 0 );
		$this->assertSame( 401, $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => $key ) )->get_status() );

		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );
		wp_set_current_user( $editor );
		$off = $this->rest( 'POST', '/wp-presence/v1/presence/screen-revisions/stale', array( 'screen_key' => $key ) );
		$this->assertSame( 501, $off->get_status() );
		$this->assertSame( 'rest_presence_recording_disabled', $off->get_data()['code'] );
	}

	public function test_recording_off_records_and_tells_nothing() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );
		$this->bumps = array();
		wp_update_post( array( 'ID' => $post, 'post_title' => 'Off' ) );
		$this->assertSame( array(), $this->bumps );
		$this->assertNull( wp_presence_screen_revision( 'post:' . $post ) );
		$this->assertNull( $this->tick( $a, 'post:' . $post, 0 ) );
	}

	public function test_a_steady_tick_runs_no_query_outside_sql() {
		global $wpdb;
		$viewer = $this->make_user( 'editor' );
		$post   = $this->make_post( $viewer );
		$key    = 'post:' . $post;
		wp_presence_bump_screen_revision( $key, $this->make_user( 'editor' ) );
		$rev = $this->rev( $key );
		wp_cache_flush();
		wp_load_alloptions();
		wp_set_current_user( 0 );
		wp_set_current_user( $viewer );
		$queries = array();
		$record  = static function ( $sql ) use ( &$queries ) {
			$queries[] = $sql;
			return $sql;
		};
		add_filter( 'query', $record );
		$this->assertNull( $this->tick( $viewer, $key, $rev ) );
		remove_filter( 'query', $record );
		foreach ( $queries as $sql ) {
			$this->assertDoesNotMatchRegularExpression( '/\\b(' . $wpdb->posts . '|' . $wpdb->users . '|' . $wpdb->usermeta . ')\\b/', $sql, 'no post or user is loaded for a steady tick' );
		}
		if ( $this->storage_is_sql_free() && ! is_multisite() ) {
			$this->assertSame( array(), $queries, 'zero queries on the ' . wp_presence_backend() . ' backend' );
		}
	}

	public function test_page_key_baseline_and_script() {
		$admin  = $this->make_user( 'administrator' );
		$editor = $this->make_user( 'editor' );
		wp_set_current_user( $admin );
		$post = $this->make_post( $admin );

		$cases = array(
			array( 'post', array( 'post' => $post, 'action' => 'edit' ), 'post:' . $post ),
			array( 'user-edit', array( 'user_id' => $editor ), 'user:' . $editor ),
			array( 'profile', array(), 'user:' . $admin ),
			array( 'options-general', array(), 'options:general' ),
			array( 'options-reading', array(), 'options:reading' ),
			array( 'options-privacy', array(), 'privacy' ),
			array( 'settings_page_' . WP_PRESENCE_SETTINGS_GROUP, array(), 'options:' . WP_PRESENCE_SETTINGS_GROUP ),
			array( 'dashboard', array(), '' ),
			array( 'edit-post', array(), '' ),
		);
		foreach ( $cases as $case ) {
			$_GET = $case[1];
			$this->assertSame( $case[2], wp_presence_screen_key_for( WP_Screen::get( $case[0] ) ), $case[0] );
		}
		$_GET = array( 'user_id' => 'x' );
		$this->assertSame( '', wp_presence_screen_key_for( WP_Screen::get( 'user-edit' ) ) );
		$_GET = array();

		// The baseline is the stored revision, never later than the request's start.
		$this->assertSame( 0, wp_presence_screen_baseline( 'options:general' ) );
		$rev = wp_presence_bump_screen_revision( 'options:general', $editor );
		$this->assertLessThanOrEqual( $rev, wp_presence_screen_baseline( 'options:general' ) );
		$this->assertLessThan( ( WP_Presence_Testing::now() + 1 ) * 1000, wp_presence_screen_baseline( '' ) );

		// The script, with its settings, for who may view the screen only.
		set_current_screen( 'options-general' );
		wp_presence_screen_enqueue();
		$this->assertTrue( wp_script_is( 'wp-presence-stale', 'enqueued' ) );
		$inline = implode( '', wp_scripts()->get_data( 'wp-presence-stale', 'before' ) );
		$this->assertStringContainsString( '"key":"options:general"', $inline );
		wp_dequeue_script( 'wp-presence-stale' );
		wp_scripts()->registered['wp-presence-stale']->extra = array();

		wp_set_current_user( $editor );
		wp_presence_screen_enqueue();
		$this->assertFalse( wp_script_is( 'wp-presence-stale', 'enqueued' ), 'an editor cannot open Settings → General' );
		$this->assertEmpty( wp_scripts()->get_data( 'wp-presence-stale', 'before' ), 'and gets no revision' );
	}
}
