<?php
/**
 * The view_presence_location meta capability: who sees where others are.
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/class-presence-security-testcase.php';

/**
 * Others' `admin/online` data (screen, post) only for viewers with view_presence_location.
 */
class ViewLocationCapTest extends Presence_Security_TestCase {

	/**
	 * Whether each role of the matrix may see others' locations (null: cannot read the room).
	 *
	 * @return array
	 */
	public function location_matrix() {
		$expect = array(
			'logged out'    => null,
			'subscriber'    => null,
			'contributor'   => false,
			'author'        => false,
			'editor'        => false,
			'administrator' => true,
			'super admin'   => true,
		);
		$out = array();
		foreach ( $this->roles() as $name => $args ) {
			$out[ $name ] = array( $args[0], $expect[ $name ] );
		}
		return $out;
	}

	/**
	 * The REST items and Heartbeat row of `$other` as `$viewer` sees them.
	 *
	 * @param int $viewer Viewer (0: logged out).
	 * @param int $other  The user on the upload screen.
	 * @return array status, item (REST item of $other or null), row (Heartbeat row or null).
	 */
	private function look( $viewer, $other ) {
		wp_set_current_user( $viewer );
		WP_Presence_Testing::reset_caches();
		$r    = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) );
		$item = null;
		if ( 200 === $r->get_status() ) {
			foreach ( $r->get_data() as $candidate ) {
				if ( $candidate['user_id'] === $other ) {
					$item = (array) $candidate['data'];
				}
			}
		}
		$row = null;
		if ( $viewer ) {
			$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer01' ) );
			$users = isset( $reply['wp-presence']['rooms']['admin/online']['users'] ) ? $reply['wp-presence']['rooms']['admin/online']['users'] : array();
			foreach ( $users as $candidate ) {
				if ( (int) $candidate['user_id'] === $other ) {
					$row = $candidate;
				}
			}
		}
		return array( $r->get_status(), $item, $row );
	}

	/**
	 * @dataProvider location_matrix
	 *
	 * @param string    $role Role of the viewer.
	 * @param bool|null $sees Whether it sees locations (null: no access to the room).
	 */
	public function test_role_matrix_on_rest_and_heartbeat( $role, $sees ) {
		$other = $this->make_user( 'editor' );
		$this->heartbeat( $other, $this->ping( 'tabother001', array( 'screen' => 'upload', 'activity' => 'idle' ) ), 'upload' );
		$viewer = $this->viewer( $role );
		list( $status, $item, $row ) = $this->look( $viewer, $other );

		if ( null === $sees ) {
			$this->assertSame( $viewer ? 403 : 401, $status );
			$this->assertNull( $row, 'no Heartbeat row without room access' );
			return;
		}
		$this->assertSame( 200, $status );
		$this->assertNotNull( $item, 'the other user is listed either way' );
		$this->assertNotNull( $row );
		$this->assertSame( 'idle', $row['status'], 'the status is not a location: it stays' );
		// WP-CLI with --user=<viewer> renders the same view.
		$cli = $this->cli( 'list_', array( 'admin/online' ), array( 'format' => 'json' ) );
		$cli = array_values( wp_list_filter( $cli[0][1], array( 'user_id' => $other ) ) );
		$this->assertCount( 1, $cli );
		$this->assertSame( $sees ? '{"screen":"upload","activity":"idle"}' : '{}', $cli[0]['data'] );
		if ( $sees ) {
			$this->assertSame( 'upload', $item['screen'] );
			$this->assertSame( 'upload', $row['screen'] );
		} else {
			$this->assertSame( array(), $item, 'data of admin/online is empty without view_presence_location' );
			$this->assertSame( '', $row['screen'] );
			$this->assertSame( '', $row['url'] );
		}

		// Oneself: always.
		$mine = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data();
		$own  = wp_list_filter( $mine, array( 'user_id' => $viewer ) );
		$this->assertCount( 1, $own );
		$this->assertSame( 'dashboard', ( (array) reset( $own )['data'] )['screen'], 'one always sees one\'s own location' );
		$this->assertTrue( user_can( $viewer, 'view_presence_location', $viewer ) );
	}

	public function test_a_site_grants_it_through_map_meta_cap() {
		$other = $this->make_user( 'administrator' );
		$this->heartbeat( $other, $this->ping( 'tabother002', array( 'screen' => 'upload' ) ), 'upload' );
		$author = $this->make_user( 'author' );
		$this->assertNull( $this->look( $author, $other )[1]['screen'] ?? null );

		$this->add_test_filter(
			'map_meta_cap',
			static function ( $caps, $cap ) {
				return 'view_presence_location' === $cap ? array( 'edit_posts' ) : $caps;
			},
			20,
			2
		);
		list( , $item, $row ) = $this->look( $author, $other );
		$this->assertSame( 'upload', $item['screen'] );
		$this->assertSame( 'upload', $row['screen'] );
	}

	public function test_a_site_revokes_it_through_user_has_cap() {
		$other = $this->make_user( 'editor' );
		$this->heartbeat( $other, $this->ping( 'tabother003', array( 'screen' => 'upload' ) ), 'upload' );
		$admin = $this->make_user( 'administrator' );
		$this->assertSame( 'upload', $this->look( $admin, $other )[1]['screen'] );

		$this->add_test_filter(
			'user_has_cap',
			static function ( $allcaps, $caps ) {
				if ( in_array( 'list_users', $caps, true ) ) {
					$allcaps['list_users'] = false;
				}
				return $allcaps;
			},
			10,
			2
		);
		list( , $item, $row ) = $this->look( $admin, $other );
		$this->assertSame( array(), $item );
		$this->assertSame( '', $row['screen'] );
		$this->assertTrue( current_user_can( 'view_presence_location', $admin ), 'still oneself' );
	}

	public function test_one_answer_for_every_other_user_only_while_no_other_rule_is_hooked() {
		$this->assertTrue( wp_presence_location_cap_is_uniform(), 'the bridge\'s rule and core\'s grants only' );
		$a     = $this->make_user( 'editor' );
		$b     = $this->make_user( 'editor' );
		$admin = $this->make_user( 'administrator' );
		$this->heartbeat( $a, $this->ping( 'tabuniform1', array( 'screen' => 'upload' ) ), 'upload' );
		$this->heartbeat( $b, $this->ping( 'tabuniform2', array( 'screen' => 'users' ) ), 'users' );
		$view = new WP_Presence_View( $admin );
		$this->assertTrue( $view->can_see_location_of( $a ) );
		$this->assertTrue( $view->can_see_location_of( $b ) );

		// A site that decides per user (here: never where user B is) is asked for each user.
		$this->add_test_filter(
			'map_meta_cap',
			static function ( $caps, $cap, $user_id, $args ) use ( $b ) {
				return 'view_presence_location' === $cap && isset( $args[0] ) && (int) $args[0] === $b ? array( 'do_not_allow' ) : $caps;
			},
			20,
			4
		);
		$this->assertFalse( wp_presence_location_cap_is_uniform() );
		$view = new WP_Presence_View( $admin );
		$this->assertTrue( $view->can_see_location_of( $a ), 'asked first: user A' );
		$this->assertFalse( $view->can_see_location_of( $b ), 'then user B, on their own' );
		$rows = wp_list_pluck( ( new WP_Presence_View( $admin ) )->rows( 'admin/online' ), 'screen', 'user_id' );
		$this->assertSame( 'upload', $rows[ $a ] );
		$this->assertSame( '', $rows[ $b ] );
	}

	public function test_a_closure_on_user_has_cap_makes_the_answer_per_user() {
		$this->add_test_filter(
			'user_has_cap',
			static function ( $allcaps ) {
				return $allcaps;
			}
		);
		$this->assertFalse( wp_presence_location_cap_is_uniform() );
	}
}
