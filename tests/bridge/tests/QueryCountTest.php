<?php
/**
 * SQL per Heartbeat tick.
 *
 * @package Presence
 */

/**
 * Zero SQL for presence storage on the extension backend, and no per-user queries for the reply
 * on any backend (the writer stores its display name and avatar in its entry).
 */
class QueryCountTest extends Presence_TestCase {

	/**
	 * Queries run during the callback.
	 *
	 * @var string[]
	 */
	private $queries = array();

	/**
	 * Runs one Heartbeat through every heartbeat_received callback and records its SQL.
	 *
	 * @param int    $viewer    User.
	 * @param array  $data      Data.
	 * @param string $screen_id Screen.
	 * @return array Response.
	 */
	private function counted_heartbeat( $viewer, array $data, $screen_id = 'dashboard' ) {
		global $wpdb;
		// A new request: nothing of the other users or posts is cached; the viewer and the
		// autoloaded options are, as WordPress's bootstrap and auth check have loaded them.
		wp_cache_flush();
		wp_load_alloptions();
		wp_set_current_user( 0 );
		wp_set_current_user( $viewer );
		current_user_can( 'read' );
		$this->queries = array();
		$record        = function ( $sql ) {
			$this->queries[] = $sql;
			return $sql;
		};
		add_filter( 'query', $record );
		$before   = $wpdb->num_queries;
		$response = apply_filters( 'heartbeat_received', array(), $data, $screen_id );
		remove_filter( 'query', $record );
		$this->assertSame( count( $this->queries ), $wpdb->num_queries - $before );
		return $response;
	}

	/**
	 * Queries that touch a given table.
	 *
	 * @param string $table Table.
	 * @return string[]
	 */
	private function touching( $table ) {
		return array_values(
			array_filter(
				$this->queries,
				static function ( $q ) use ( $table ) {
					return (bool) preg_match( '/\b' . preg_quote( $table, '/' ) . '\b/', $q )
						|| ( false !== strpos( $table, 'presence' ) && false !== strpos( $q, WP_Presence_Store_SQL::OFFSET_OPTION ) ); // The SQL store's clock.
				}
			)
		);
	}

	/**
	 * Users who are online (each wrote through Heartbeat).
	 *
	 * @param int $n How many.
	 * @return int[]
	 */
	private function online_users( $n ) {
		$ids = array();
		for ( $i = 0; $i < $n; $i++ ) {
			$ids[] = $this->make_user( 'editor' );
			$this->heartbeat( end( $ids ), $this->ping( 'taboth' . sprintf( '%03d', $i ) ) );
		}
		return $ids;
	}

	public function test_dashboard_tick_with_many_users() {
		global $wpdb;
		$others = $this->online_users( 20 );
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1' ) )['wp-presence'];

		// Steady tick: the client's ack and versions are current.
		$response = $this->counted_heartbeat(
			$viewer,
			$this->ping( 'tabviewer1', array( 'ack' => $first['ack'], 'seen' => array( 'admin/online' => $first['rooms']['admin/online']['version'], 'active_posts' => $first['active_posts']['version'] ) ) )
		);
		$this->assertSame( array(), $response['wp-presence']['rooms'] );
		$steady = $this->queries;

		// Full tick: every room sent.
		$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer1' ) );
		$this->assertCount( 21, $response['wp-presence']['rooms']['admin/online']['users'] );

		$this->assertSame( array(), $this->touching( $wpdb->users ), 'no user loading for the reply' );
		$this->assertSame( array(), $this->touching( $wpdb->usermeta ), 'no user meta for the reply' );
		if ( $this->storage_is_sql_free() ) {
			$this->assertSame( array(), $steady, 'steady tick: zero SQL on the ' . wp_presence_backend() . ' backend' );
			$this->assertSame( array(), $this->queries, 'full tick with 21 users: zero SQL on the ' . wp_presence_backend() . ' backend' );
		} else {
			$this->assertSame( count( $this->queries ), count( $this->touching( $wpdb->base_prefix . 'presence' ) ), 'SQL backend: only presence-table queries' );
		}
	}

	public function test_entries_without_display_data_are_primed_in_one_query() {
		global $wpdb;
		$viewer = $this->make_user( 'editor' );
		$ids    = array();
		for ( $i = 0; $i < 12; $i++ ) {
			$ids[] = $this->make_user( 'editor' );
			// Third-party writers (wp_set_presence) store no display data.
			wp_set_presence( 'admin/online', 'raw-' . $i, array( 'screen' => 'edit-post' ), end( $ids ) );
		}
		$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer3' ) );
		$rows     = $response['wp-presence']['rooms']['admin/online']['users'];
		$this->assertCount( 13, $rows );
		foreach ( $rows as $row ) {
			$this->assertSame( get_userdata( $row['user_id'] )->display_name, $row['display_name'] );
			$this->assertStringStartsWith( 'http', $row['avatar_url'] );
		}
		$this->assertCount( 1, $this->touching( $wpdb->users ), 'one query for twelve users' );
		$meta = $this->touching( $wpdb->usermeta );
		$this->assertCount( 1, $meta, 'one query for their preferences' );
		$this->assertStringContainsString( "meta_key = 'wp_presence_preference'", $meta[0] );
	}

	public function test_editor_tick_and_post_lock_storage_is_sql_free_on_extension() {
		global $wpdb;
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->counted_heartbeat(
			$a,
			array_merge(
				$this->ping( 'tabaaaa01', array( 'screen' => 'post', 'post_id' => $post ) ),
				array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ),
				array( 'presence-ping' => array( 'screen' => 'post', 'post_id' => $post ), 'presence-editor-ping' => array( 'post_id' => $post ) )
			),
			'post'
		);
		$this->assertNotNull( wp_presence_store()->get( wp_presence_post_room( $post ), 'lock-' . $a ) );
		$this->assertNotNull( wp_presence_store()->get( wp_presence_post_room( $post ), 'editor-' . $a . '-tabaaaa01' ) );
		$presence_sql = $this->touching( $wpdb->base_prefix . 'presence' );
		if ( $this->storage_is_sql_free() ) {
			$this->assertSame( array(), $presence_sql, 'no storage SQL' );
		} else {
			$this->assertNotSame( array(), $presence_sql, 'the SQL backend does use its table' );
		}
	}

	public function test_reply_priming_does_not_grow_with_posts_being_edited() {
		$counts = array();
		foreach ( array( 3, 8 ) as $n ) {
			WP_Presence_Testing::reset();
			for ( $i = 0; $i < $n; $i++ ) {
				$u    = $this->make_user( 'editor' );
				$post = $this->make_post( $u );
				$this->heartbeat( $u, $this->ping( 'tabedit' . sprintf( '%03d', $i ), array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
			}
			$viewer = $this->make_user( 'editor' );
			$this->heartbeat( $viewer, $this->ping( 'tabviewer2' ) );
			$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer2' ) );
			$this->assertCount( $n, $response['wp-presence']['active_posts']['posts'] );
			global $wpdb;
			$counts[ $n ] = count( $this->queries ) - count( $this->touching( $wpdb->base_prefix . 'presence' ) );
		}
		$this->assertSame( $counts[3], $counts[8], 'non-storage queries independent of the number of posts' );
		$this->assertLessThanOrEqual( 1, $counts[8], 'posts primed in one query' );
	}

	public function test_sql_store_queries_per_tick_are_pinned() {
		global $wpdb;
		if ( 'sql' !== wp_presence_backend() ) {
			$this->markTestSkipped( 'SQL backend only.' );
		}
		$others = $this->online_users( 6 );
		foreach ( array_slice( $others, 0, 3 ) as $i => $uid ) {
			$post = $this->make_post( $uid );
			$this->heartbeat( $uid, $this->ping( 'tabpost' . sprintf( '%03d', $i ), array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		}
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer4' ) )['wp-presence'];
		$this->assertCount( 3, $first['active_posts']['posts'] );
		$seen = array(
			'ack'  => $first['ack'],
			'seen' => array(
				'admin/online' => (string) $first['rooms']['admin/online']['version'],
				'active_posts' => $first['active_posts']['version'],
			),
		);

		// Steady: the skip check's get(), room_version(), rooms( 'postType/' ) once, user_entries().
		$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer4', $seen ) );
		$this->assertSame( array(), $response['wp-presence']['rooms'] );
		$this->assertArrayNotHasKey( 'active_posts', $response['wp-presence'] );
		$this->assertLessThanOrEqual( 4, count( $this->queries ), "steady SQL tick:\n" . implode( "\n", $this->queries ) );
		$this->assertSame( 0, count( preg_grep( '/wp_presence_(db_version|clock_offset)/', $this->queries ) ), 'options come from alloptions' );

		// Full (no ack, so the tab's entry is written: its read and upsert): also the room, the
		// posts primed once, and the post rooms' entries in one query.
		$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer4' ) );
		$this->assertCount( 3, $response['wp-presence']['active_posts']['posts'] );
		$this->assertLessThanOrEqual( 9, count( $this->queries ), "full SQL tick:\n" . implode( "\n", $this->queries ) );
		$this->assertSame( 1, count( preg_grep( '/GROUP BY p\.room/', $this->queries ) ), 'the post rooms are listed once' );
	}

	public function test_a_churn_tick_loads_only_the_posts_its_rows_show() {
		global $wpdb;
		$other = $this->make_user( 'editor' );
		$post  = $this->make_post( $other );
		// The other user's first tab is on a post, idle; a second tab comes online elsewhere.
		$this->heartbeat( $other, $this->ping( 'tabchurn01', array( 'screen' => 'post', 'post_id' => $post, 'activity' => 'idle' ) ), 'post' );
		$viewer = $this->make_user( 'administrator' ); // Sees where others are (list_users) and edits the post.
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer5', array( 'delta' => 1 ) ) )['wp-presence'];
		$seen   = array(
			'ack'   => $first['ack'],
			'delta' => 1,
			'seen'  => array(
				'admin/online' => (string) $first['rooms']['admin/online']['version'],
				'active_posts' => $first['active_posts']['version'], // The dashboard's list stays as it is.
			),
		);
		$this->heartbeat( $other, $this->ping( 'tabchurn02', array( 'screen' => 'edit-post' ) ), 'edit-post' );

		// The row shows the online tab's screen: the idle tab's post is neither loaded nor sent.
		$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer5', $seen ) );
		$room     = $response['wp-presence']['rooms']['admin/online'];
		$rows     = array_values( wp_list_filter( $room['users'], array( 'user_id' => $other ) ) );
		$this->assertCount( 1, $rows, wp_json_encode( $room ) );
		$this->assertSame( 'edit-post', $rows[0]['screen'] );
		$this->assertArrayNotHasKey( 'post_id', $rows[0], 'compact row: no post' );
		$this->assertArrayNotHasKey( 'active_posts', $response['wp-presence'] );
		$this->assertSame( array(), $this->touching( $wpdb->posts ), "no post query for a row that shows none:\n" . implode( "\n", $this->queries ) );

		// Now the post tab is the most present: its post is loaded (one query), checked and sent.
		$seen['seen']['admin/online'] = (string) $room['version'];
		$this->heartbeat( $other, $this->ping( 'tabchurn02', array( 'screen' => 'edit-post', 'activity' => 'away' ) ), 'edit-post' );
		$response = $this->counted_heartbeat( $viewer, $this->ping( 'tabviewer5', $seen ) );
		$room     = $response['wp-presence']['rooms']['admin/online'];
		$rows     = array_values( wp_list_filter( $room['users'], array( 'user_id' => $other ) ) );
		$this->assertCount( 1, $rows, wp_json_encode( $room ) );
		$this->assertSame( $post, $rows[0]['post_id'] );
		$this->assertCount( 1, $this->touching( $wpdb->posts ), 'the shown post, in one query' );

		// A viewer who sees where others are but may not edit the post gets the row without it.
		$author = $this->make_user( 'author' );
		get_userdata( $author )->add_cap( 'list_users' );
		$reply = $this->heartbeat( $author, $this->ping( 'tabviewer6', array( 'delta' => 1 ) ) )['wp-presence'];
		$rows  = array_values( wp_list_filter( $reply['rooms']['admin/online']['users'], array( 'user_id' => $other ) ) );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'post', $rows[0]['screen'] );
		$this->assertArrayNotHasKey( 'post_id', $rows[0] );
	}
}
