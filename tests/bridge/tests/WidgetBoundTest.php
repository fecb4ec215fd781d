<?php
/**
 * Bounded first render of "Who's Online" and the admin bar, and the REST rows "+N more" pages.
 *
 * @package Presence
 */

/**
 * A page renders the first users in display order (as many as a Heartbeat reply carries) and
 * the total, never every user online: the widget, the admin bar's dropdown, the settings handed
 * to the script and the avatar names. `GET /presence?group=user` pages through the rest, one
 * row per user.
 *
 * @since 1.4.0
 */
class WidgetBoundTest extends Presence_TestCase {

	/**
	 * Others online, oldest first, each with two tabs, then the viewer (an administrator, who
	 * may list users). The clock moves between users, so display order (most recent first) is
	 * the reverse of creation.
	 *
	 * @param int $n How many other users.
	 * @return array{0:int,1:int[]} The viewer and the others, oldest first.
	 */
	private function room_of( $n ) {
		$others = array();
		for ( $i = 1; $i <= $n; $i++ ) {
			$id       = $this->make_user( 'editor', array( 'display_name' => sprintf( 'Member %02d', $n + 1 - $i ) ) );
			$others[] = $id;
			$this->heartbeat( $id, $this->ping( sprintf( 'taba%05d', $i ) ) );
			$this->heartbeat( $id, $this->ping( sprintf( 'tabb%05d', $i ) ) );
			WP_Presence_Testing::advance( 1 );
		}
		$viewer = $this->make_user( 'administrator' );
		$this->heartbeat( $viewer, $this->ping( 'tabviewer01' ) );
		wp_set_current_user( $viewer );
		return array( $viewer, $others );
	}

	/**
	 * User ids named by `data-user-id` in some HTML.
	 *
	 * @param string $html HTML.
	 * @return int[] Distinct ids, sorted.
	 */
	private function html_ids( $html ) {
		preg_match_all( '/data-user-id="(\d+)"/', $html, $m );
		$ids = array_values( array_unique( array_map( 'intval', $m[1] ) ) );
		sort( $ids );
		return $ids;
	}

	/**
	 * Sorted copy of ids.
	 *
	 * @param int[] $ids Ids.
	 * @return int[]
	 */
	private function sorted( array $ids ) {
		sort( $ids );
		return array_values( $ids );
	}

	public function test_widget_settings_and_avatar_names_hold_the_first_rows_and_the_total() {
		list( $viewer, $others ) = $this->room_of( 30 );
		$limit                   = wp_presence_heartbeat_rows();
		$this->assertSame( 20, $limit );
		$first = $this->sorted( array_slice( $others, -$limit ) ); // The 20 most recent.

		ob_start();
		wp_presence_ui_online_widget();
		$html = ob_get_clean();
		$this->assertStringContainsString( '30 other users online', $html );
		$this->assertSame( $first, $this->html_ids( $html ), 'the stack shows the 20 most recent users' );
		$this->assertStringContainsString( '<span class="wp-presence-stack__more">+10</span>', $html );
		$this->assertStringContainsString( 'presence=online', $html, 'the no-JS path: a link to the Online view' );

		$settings = wp_presence_ui_script_settings();
		$this->assertSame( 30, $settings['initial']['total'] );
		$this->assertSame( $first, $this->ids( $settings['initial']['users'] ), 'the script starts from the first rows only' );
		$this->assertSame( array_reverse( array_slice( $others, -$limit ) ), array_map( 'intval', wp_list_pluck( $settings['initial']['users'], 'user_id' ) ), 'in display order' );

		$names = wp_presence_avatar_names();
		unset( $names[ $viewer ] );
		$this->assertSame( $first, $this->sorted( array_keys( $names ) ), 'avatar names of the users the page shows' );
	}

	public function test_widget_list_below_the_stack_is_bounded_by_the_heartbeat_rows() {
		// A bound below the widget's list: 3 full rows and 2 in "+N more", the rest a link away.
		$this->add_test_filter(
			'wp_presence_heartbeat_rows',
			static function () {
				return 5;
			}
		);
		list( , $others ) = $this->room_of( 12 );

		ob_start();
		wp_presence_ui_online_widget();
		$html = ob_get_clean();
		$this->assertStringContainsString( '12 other users online', $html );
		$this->assertSame( $this->sorted( array_slice( $others, -5 ) ), $this->html_ids( $html ), 'five rows, not twelve' );
		$this->assertStringContainsString( '<summary>+9 more</summary>', $html, '"+N more" counts every further user' );
		$this->assertStringContainsString( 'View all online users', $html );
	}

	public function test_admin_bar_lists_the_first_rows_and_says_how_many_more() {
		require_once ABSPATH . WPINC . '/class-wp-admin-bar.php';
		list( , $others ) = $this->room_of( 25 );
		$bar              = new WP_Admin_Bar();
		wp_presence_ui_admin_bar_menu( $bar );
		$nodes = $bar->get_nodes();

		$listed = array();
		foreach ( $nodes as $id => $node ) {
			if ( preg_match( '/^wp-presence-(?:here|elsewhere)-user-(\d+)$/', $id, $m ) ) {
				$listed[] = (int) $m[1];
			}
		}
		$this->assertSame( $this->sorted( array_slice( $others, -20 ) ), $this->sorted( $listed ), 'the dropdown lists the first 20' );
		$this->assertArrayHasKey( 'wp-presence-elsewhere-more', $nodes );
		$this->assertStringContainsString( '+5 more', $nodes['wp-presence-elsewhere-more']->title );
		$this->assertStringContainsString( 'presence=online', (string) $nodes['wp-presence-elsewhere-more']->href );
		$this->assertArrayNotHasKey( 'wp-presence-elsewhere-empty', $nodes );
		$this->assertStringContainsString( '26 online', $nodes['wp-presence']->title );
		$this->assertStringContainsString( '+15', $nodes['wp-presence']->title, 'the stack of 10 stands for 25' );
		$this->assertSame( $this->sorted( array_slice( $others, -10 ) ), $this->html_ids( $nodes['wp-presence']->title ) );
	}

	public function test_everyone_fits_nothing_more_is_said() {
		require_once ABSPATH . WPINC . '/class-wp-admin-bar.php';
		list( , $others ) = $this->room_of( 4 );
		ob_start();
		wp_presence_ui_online_widget();
		$html = ob_get_clean();
		$this->assertSame( $this->sorted( $others ), $this->html_ids( $html ) );
		$this->assertStringContainsString( '<summary>+1 more</summary>', $html );
		$this->assertStringNotContainsString( 'View all online users', $html );
		$bar = new WP_Admin_Bar();
		wp_presence_ui_admin_bar_menu( $bar );
		$this->assertArrayNotHasKey( 'wp-presence-elsewhere-more', $bar->get_nodes() );
	}

	public function test_rest_group_user_pages_one_row_per_user_by_name() {
		list( $viewer, $others ) = $this->room_of( 30 );
		$seen                    = array();
		$names                   = array();
		for ( $page = 1; $page <= 3; $page++ ) {
			$r = $this->rest(
				'GET',
				'/wp-presence/v1/presence',
				array(
					'room'     => 'admin/online',
					'group'    => 'user',
					'per_page' => 12,
					'page'     => $page,
				)
			);
			$this->assertSame( 200, $r->get_status() );
			$headers = $r->get_headers();
			$this->assertSame( '31', $headers['X-WP-Total'], 'users (the viewer included), not entries' );
			$this->assertSame( '3', $headers['X-WP-TotalPages'] );
			foreach ( $r->get_data() as $row ) {
				$this->assertSame( array( 'user_id', 'display_name', 'avatar_url', 'status', 'status_label', 'screen', 'screen_label', 'post_id', 'title', 'url', 'updated' ), array_keys( $row ) );
				$seen[]  = $row['user_id'];
				$names[] = $row['display_name'];
			}
		}
		$this->assertSame( $this->sorted( array_merge( $others, array( $viewer ) ) ), $this->sorted( $seen ), 'everyone once' );
		$sorted = $names;
		natcasesort( $sorted );
		$this->assertSame( array_values( $sorted ), $names, 'by name' );

		// The default stays one item per entry (two tabs each).
		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) );
		$this->assertSame( '61', $r->get_headers()['X-WP-Total'] );

		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'group' => 'tab' ) );
		$this->assertSame( 400, $r->get_status() );
		$this->assertSame( 'rest_invalid_param', $r->get_data()['code'] );
	}
}
