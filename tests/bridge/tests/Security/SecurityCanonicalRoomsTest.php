<?php
/**
 * Threat: post-room access bypass through another spelling of the room (issue 8, hole 2).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * A room that looks like `admin/online` or a post room but is not spelled exactly as the bridge
 * spells it is no room: REST answers 400 for every role, the PHP API refuses it, WP-CLI errors,
 * Heartbeat never builds one, and nothing is read or written under it, on every backend (the SQL
 * table may compare case- and trailing-space-insensitively).
 */
class SecurityCanonicalRoomsTest extends Presence_Security_TestCase {

	/**
	 * Spellings of `postType/post:%d` (and of `admin/online`) that are not it.
	 *
	 * @param int $id Post id.
	 * @return string[]
	 */
	private static function variants( $id ) {
		return array(
			'lowercase'          => "posttype/post:$id",
			'type capitalised'   => "postType/Post:$id",
			'all caps'           => "POSTTYPE/POST:$id",
			'trailing space'     => "postType/post:$id ",
			'leading space'      => " postType/post:$id",
			'tab inside'         => "postType/\tpost:$id",
			'leading zero'       => "postType/post:0$id",
			'plus sign'          => "postType/post:+$id",
			'trailing newline'   => "postType/post:$id\n",
			'space in name'      => "post Type/post:$id",
			'cyrillic o'         => "p\u{043E}stType/post:$id",
			'greek rho'          => "\u{03C1}ostType/post:$id",
			'full-width p'       => "\u{FF50}ostType/post:$id",
			'full-width colon'   => "postType/post\u{FF1A}$id",
			'zero-width space'   => "post\u{200B}Type/post:$id",
			'combining accent'   => "po\u{0301}stType/post:$id",
			'accented o'         => "p\u{00F6}stType/post:$id",
			'long s'             => "po\u{017F}tType/post:$id",
			'extra segment'      => "postType/post:$id/x",
			'admin caps'         => 'Admin/Online',
			'admin trailing'     => 'admin/online ',
			'admin cyrillic a'   => "\u{0430}dmin/online",
			'admin zero-width'   => "admin/\u{200D}online",
		);
	}

	/**
	 * A private post of an editor, with that editor in its room and in the admin room.
	 *
	 * @return array owner, post, room.
	 */
	private function private_post_in_use() {
		$owner = $this->make_user( 'editor' );
		$post  = $this->make_post( $owner, array( 'post_status' => 'private', 'post_title' => 'Private plans' ) );
		$this->heartbeat( $owner, $this->ping( 'tabowner001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		return array(
			'owner' => $owner,
			'post'  => $post,
			'room'  => wp_presence_post_room( $post ),
		);
	}

	/**
	 * What the store holds for the site, in both namespaces, without times.
	 *
	 * @return array
	 */
	private function stored() {
		$all = array();
		foreach ( wp_presence_site_namespaces() as $ns ) {
			$all[ $ns ] = wp_presence_in_namespace(
				$ns,
				static function ( WP_Presence_Store $s ) {
					$rooms = array();
					foreach ( $s->rooms( '' ) as $room ) {
						$rooms[ $room['room'] ] = self::timeless( $s->room( $room['room'] ) );
					}
					ksort( $rooms );
					return $rooms;
				}
			);
		}
		return $all;
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string $role Role.
	 */
	public function test_every_variant_is_refused_on_every_path( $role ) {
		$scene  = $this->private_post_in_use();
		$viewer = $this->viewer( $role );
		wp_set_current_user( $viewer );
		$before = $this->stored();

		foreach ( self::variants( $scene['post'] ) as $what => $room ) {
			$get = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => $room ) );
			$this->assertSame( 400, $get->get_status(), "$role: GET $what" );
			$this->assertSame( 'rest_invalid_param', $get->get_data()['code'], "$role: GET $what" );
			$this->assertStringNotContainsString( 'Private plans', wp_json_encode( $get->get_data() ) );
			$post = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'probe', 'data' => array( 'screen' => 'post' ) ) );
			$this->assertSame( 400, $post->get_status(), "$role: POST $what" );
			$del = $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'editor-' . $scene['owner'] . '-tabowner001' ) );
			$this->assertSame( 400, $del->get_status(), "$role: DELETE $what" );

			$this->assertFalse( wp_can_access_presence_room( $room ), "$role: access $what" );
			$this->assertSame( array(), wp_get_presence( $room ), "$role: wp_get_presence $what" );
			$this->assertFalse( wp_set_presence( $room, 'probe', array(), $viewer ), "$role: wp_set_presence $what" );
			$this->assertFalse( wp_remove_presence( $room, 'editor-' . $scene['owner'] . '-tabowner001' ), "$role: wp_remove_presence $what" );
			$this->assertSame( array(), wp_presence_online_users( array( 'room' => $room ) ), "$role: online users $what" );
			$this->assertSame( 'error', $this->cli( 'list_', array( $room ), array( 'format' => 'json' ) )[0], "$role: wp presence list $what" );
			$this->assertSame( 'error', $this->cli( 'set', array( $room, 'probe' ), array() )[0], "$role: wp presence set $what" );
		}
		$this->assertSame( $before, $this->stored(), "$role: nothing was written or removed under any spelling" );

		// The real room is untouched and works for those who may edit the post.
		wp_set_current_user( $viewer );
		$get = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => $scene['room'] ) );
		$can = $viewer && user_can( $viewer, 'edit_post', $scene['post'] );
		$this->assertSame( $can ? 200 : ( $viewer ? 403 : 401 ), $get->get_status() );
	}

	/**
	 * @dataProvider writer_roles
	 *
	 * @param string $role Role.
	 */
	public function test_heartbeat_never_builds_a_room_from_a_non_canonical_post_id( $role ) {
		$user = $this->viewer( $role );
		$post = $this->make_post( $user, array( 'post_status' => 'draft' ) );
		foreach ( array( '0' . $post, '+' . $post, ' ' . $post, $post . ' ', $post . 'abc', (string) ( $post + 0.5 ), array( $post ), -$post ) as $i => $sent ) {
			$this->heartbeat( $user, $this->ping( 'tabcanon' . sprintf( '%03d', $i ), array( 'screen' => 'post', 'post_id' => $sent ) ), 'post' );
			$this->heartbeat( $user, array( 'presence-editor-ping' => array( 'post_id' => $sent ) ), 'post' );
		}
		$rooms = wp_list_pluck( wp_presence_store()->rooms( '' ), 'room' );
		$this->assertSame( array( 'admin/online' ), $rooms, "$role: no post room from a post id that is not plain decimal" );
		foreach ( wp_presence_store()->room( 'admin/online' ) as $entry ) {
			$this->assertArrayNotHasKey( 'post_id', $entry['data'], "$role: no post named either" );
		}
		$this->heartbeat( $user, $this->ping( 'tabcanon999', array( 'screen' => 'post', 'post_id' => (string) $post ) ), 'post' );
		$this->assertNotNull( wp_presence_store()->get( wp_presence_post_room( $post ), 'editor-' . $user . '-tabcanon999' ), "$role: the plain id works" );
	}

	/**
	 * Entries stored under another spelling before this version (or by other code through the
	 * store) are read by no output, even where the store's comparison would match them.
	 *
	 * @dataProvider writer_roles
	 *
	 * @param string $role Role.
	 */
	public function test_entries_stored_under_other_spellings_reach_no_output( $role ) {
		$scene  = $this->private_post_in_use();
		$viewer = $this->viewer( $role );
		$store  = wp_presence_store();
		foreach ( array( 'posttype/post:' . $scene['post'], 'postType/post:' . $scene['post'] . ' ', 'Admin/Online' ) as $i => $room ) {
			$store->upsert( $room, 'planted-' . $i, $viewer, array( 'screen' => 'post', 'post_id' => $scene['post'], 'marker' => 'planted' ), 60 );
		}
		$this->observe( $viewer, array( 'admin/online', $scene['room'] ), $scene['post'], array() );
		$seen = $this->observe( $viewer, array( 'admin/online', $scene['room'] ), $scene['post'], array() );
		$json = wp_json_encode( $seen );
		$this->assertStringNotContainsString( 'planted', $json, "$role: no output reads a non-canonical spelling" );
		$this->assertStringNotContainsString( 'posttype/', $json );
		$this->assertStringNotContainsString( 'Admin/Online', $json );
	}
}
