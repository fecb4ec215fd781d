<?php
/**
 * The leave beacon (includes/leave.php): a grace instead of a removal.
 *
 * @package Presence
 */

/**
 * Navigation is invisible to others; a closed tab leaves within the grace.
 */
class LeaveTest extends Presence_TestCase {

	/**
	 * A tab on a post's editor: returns [ user, post room, ack ].
	 *
	 * @return array
	 */
	private function editing_tab() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$ack  = $this->heartbeat( $a, $this->ping( 'navtab001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' )['wp-presence']['ack'];
		return array( $a, wp_presence_post_room( $post ), $ack, $post );
	}

	public function test_the_grace_shortens_the_entries_without_changing_them() {
		list( $a, $room ) = $this->editing_tab();
		$store            = wp_presence_store();
		$before           = array( $store->get( 'admin/online', "tab-$a-navtab001" ), $store->get( $room, "editor-$a-navtab001" ) );
		$versions         = array( $store->room_version( 'admin/online' ), $store->room_version( $room ) );

		$this->assertSame( 2, wp_presence_shorten_tab( $a, 'navtab001' ) );
		$after = array( $store->get( 'admin/online', "tab-$a-navtab001" ), $store->get( $room, "editor-$a-navtab001" ) );
		foreach ( $after as $i => $entry ) {
			$this->assertSame( $before[ $i ]['data'], $entry['data'] );
			$this->assertSame( $a, $entry['user_id'] );
			$this->assertSame( 10, $entry['expires'] - $entry['updated'], 'default grace' );
		}
		$this->assertSame( $versions, array( $store->room_version( 'admin/online' ), $store->room_version( $room ) ), 'nobody sees a change' );
		$this->assertSame( 0, wp_presence_shorten_tab( $a, 'navtab001' ), 'never lengthened, nor shortened twice' );
	}

	public function test_the_same_tab_coming_back_restores_the_ttl_without_a_version_change() {
		list( $a, $room, $ack, $post ) = $this->editing_tab();
		$store                         = wp_presence_store();
		$versions                      = array( $store->room_version( 'admin/online' ), $store->room_version( $room ) );
		wp_presence_shorten_tab( $a, 'navtab001' );
		WP_Presence_Testing::advance( 3 );
		// The next page of the tab (a reload here: same state) has no ack yet.
		$this->heartbeat( $a, $this->ping( 'navtab001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		foreach ( array( array( 'admin/online', "tab-$a-navtab001" ), array( $room, "editor-$a-navtab001" ) ) as $key ) {
			$entry = $store->get( $key[0], $key[1] );
			$this->assertSame( 150, $entry['expires'] - $entry['updated'], $key[1] );
		}
		$this->assertSame( $versions, array( $store->room_version( 'admin/online' ), $store->room_version( $room ) ) );
		WP_Presence_Testing::advance( 20 );
		$this->assertNotNull( $store->get( 'admin/online', "tab-$a-navtab001" ), 'still there after the grace' );
		unset( $ack );
	}

	public function test_a_beacon_that_arrives_after_the_next_pages_first_tick_does_not_end_the_tab() {
		// The old page's beacon and the next page's first tick race: here the tick wins, then the
		// beacon shortens what it wrote, and the page ticks on with the ack it got back.
		list( $a, $room, , $post ) = $this->editing_tab();
		$store                     = wp_presence_store();
		$ping                      = array(
			'screen'  => 'post',
			'post_id' => $post,
		);
		$ack                       = $this->heartbeat( $a, $this->ping( 'navtab001', $ping ), 'post' )['wp-presence']['ack'];
		$versions                  = array( $store->room_version( 'admin/online' ), $store->room_version( $room ) );
		$this->assertSame( 2, wp_presence_shorten_tab( $a, 'navtab001' ) );
		for ( $tick = 0; $tick < 6; $tick++ ) {
			WP_Presence_Testing::advance( 5 );
			$this->heartbeat( $a, $this->ping( 'navtab001', $ping + array( 'ack' => $ack ) ), 'post' );
		}
		foreach ( array( array( 'admin/online', "tab-$a-navtab001" ), array( $room, "editor-$a-navtab001" ) ) as $key ) {
			$entry = $store->get( $key[0], $key[1] );
			$this->assertNotNull( $entry, $key[1] . ' outlived the grace: its own page still ticks' );
			$this->assertGreaterThan( 60, $entry['expires'] - $store->now(), $key[1] . ' has its full TTL back' );
		}
		$this->assertSame( $versions, array( $store->room_version( 'admin/online' ), $store->room_version( $room ) ), 'nobody saw the tab leave' );
	}

	public function test_a_stale_report_with_the_old_ack_does_not_bring_a_closed_tab_back() {
		list( $a, , $ack, $post ) = $this->editing_tab();
		wp_presence_shorten_tab( $a, 'navtab001' );
		// The leader still lists the closed tab (its goodbye got lost) with the ack it had.
		$this->heartbeat( $a, $this->ping( 'leadtab01', array( 'tabs' => array( array( 'tab' => 'navtab001', 'screen' => 'post', 'post_id' => $post, 'ack' => $ack ) ) ) ) );
		WP_Presence_Testing::advance( 11 );
		$this->assertNull( wp_presence_store()->get( 'admin/online', "tab-$a-navtab001" ) );
	}

	public function test_a_closed_tab_leaves_within_the_grace() {
		list( $a, $room ) = $this->editing_tab();
		$b                = $this->make_user( 'editor' );
		$store            = wp_presence_store();
		$version          = $store->room_version( 'admin/online' );
		wp_presence_shorten_tab( $a, 'navtab001' );
		WP_Presence_Testing::advance( 9 );
		wp_set_current_user( $b );
		$this->assertSame( array( $a ), $this->ids( wp_presence_online_users() ), 'inside the grace' );
		WP_Presence_Testing::advance( 2 );
		$this->assertSame( array(), wp_presence_online_users() );
		$this->assertSame( array(), $store->room( $room ) );
		$this->assertNotSame( $version, $store->room_version( 'admin/online' ), 'leaving is a change' );
	}

	public function test_the_grace_follows_its_filter_within_bounds() {
		list( $a ) = $this->editing_tab();
		$grace     = 3;
		$this->add_test_filter(
			'wp_presence_leave_grace',
			static function () use ( &$grace ) {
				return $grace;
			}
		);
		$store = wp_presence_store();
		wp_presence_shorten_tab( $a, 'navtab001' );
		$entry = $store->get( 'admin/online', "tab-$a-navtab001" );
		$this->assertSame( 3, $entry['expires'] - $entry['updated'] );
		$grace = 0;
		$this->assertSame( 1, wp_presence_leave_grace() );
		$grace = 100000;
		$this->assertSame( 150, wp_presence_leave_grace() );
	}

	public function test_only_the_users_own_entries_are_touched() {
		list( $a ) = $this->editing_tab();
		$b         = $this->make_user( 'administrator' );
		$store     = wp_presence_store();
		$expires   = $store->get( 'admin/online', "tab-$a-navtab001" )['expires'];
		$this->assertSame( 0, wp_presence_shorten_tab( $b, 'navtab001' ), 'another user, even an administrator' );
		$this->assertSame( 0, wp_presence_shorten_tab( 0, 'navtab001' ) );
		foreach ( array( 'NAVTAB001', "navtab001\n", ' navtab001', 'nav', '' ) as $bad ) {
			$this->assertSame( 0, wp_presence_shorten_tab( $a, $bad ), wp_json_encode( $bad ) );
		}
		$this->assertSame( $expires, $store->get( 'admin/online', "tab-$a-navtab001" )['expires'] );
	}

	public function test_an_entry_written_by_someone_else_under_the_users_client_id_is_left_alone() {
		$a = $this->make_user( 'editor' );
		$m = $this->make_user( 'editor' );
		// wp_set_presence() lets any code write any client id: a tab-{a}-… entry owned by $m.
		wp_presence_store()->upsert( 'admin/online', "tab-$a-navtab001", $m, array( 'screen' => 'x' ), 150 );
		$this->assertSame( 0, wp_presence_shorten_tab( $a, 'navtab001' ) );
	}
}
