<?php
/**
 * Threat: REST writes into the rooms the bridge interprets (issue 8, hole 7).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * In `admin/online` and post rooms, REST refuses a `screen`, `activity`, `post_id` or `title` of
 * the wrong type or shape with a 400 `rest_invalid_param` naming the field; and whatever is
 * stored, every viewer's tick stays valid JSON with sane values (readers defend too).
 */
class SecurityInterpretedRoomsTest extends Presence_Security_TestCase {

	/**
	 * Bad values of the interpreted keys.
	 *
	 * @return array[] field, value.
	 */
	private static function bad_values() {
		return array(
			array( 'screen', str_repeat( 'a', 5000 ) ),
			array( 'screen', str_repeat( 'a', 65 ) ),
			array( 'screen', array( 'dashboard' ) ),
			array( 'screen', 'Edit Post' ),
			array( 'screen', '<b>x</b>' ),
			array( 'screen', 12 ),
			array( 'screen', '' ),
			array( 'activity', 'busy' ),
			array( 'activity', array( 'online' ) ),
			array( 'activity', 3 ),
			array( 'activity', true ),
			array( 'post_id', '12' ),
			array( 'post_id', 12.5 ),
			array( 'post_id', array( 1 ) ),
			array( 'post_id', -4 ),
			array( 'post_id', 999999 ),
			array( 'title', array( 'x' ) ),
			array( 'title', str_repeat( 't', 256 ) ),
			array( 'title', 5 ),
		);
	}

	/**
	 * @dataProvider writer_roles
	 *
	 * @param string $role Writer's role.
	 */
	public function test_bad_interpreted_fields_are_a_400_naming_the_field( $role ) {
		$user   = $this->viewer( $role );
		$mine   = $this->make_post( $user, array( 'post_status' => 'draft' ) );
		$other  = $this->make_post( $this->make_user( 'editor' ), array( 'post_status' => 'private' ) );
		$second = $this->make_post( $user, array( 'post_status' => 'draft' ) );
		wp_set_current_user( $user );
		$cases = self::bad_values();
		if ( ! current_user_can( 'edit_post', $other ) ) {
			$cases[] = array( 'post_id', $other ); // A post they cannot edit.
		}
		foreach ( array( 'admin/online', wp_presence_post_room( $mine ) ) as $room ) {
			foreach ( $cases as $case ) {
				list( $field, $value ) = $case;
				$r                     = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'c-' . $field, 'data' => array( $field => $value ) ) );
				$this->assertSame( 400, $r->get_status(), "$role: $room $field " . wp_json_encode( $value ) );
				$this->assertSame( 'rest_invalid_param', $r->get_data()['code'] );
				$this->assertArrayHasKey( 'data[' . $field . ']', $r->get_data()['data']['params'], 'the field is named' );
				$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
			}
		}
		// In a post room, only that room's post.
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => wp_presence_post_room( $mine ), 'client_id' => 'c', 'data' => array( 'post_id' => $second ) ) );
		$this->assertSame( 400, $r->get_status(), "$role: another post's id in a post room" );
		$this->assertSame( array(), wp_presence_store()->user_entries( $user ), "$role: nothing was stored" );

		// Good values pass.
		$good = array(
			'screen'   => 'edit-post',
			'activity' => 'idle',
			'post_id'  => $mine,
			'title'    => 'Mine',
			'extra'    => array( 'nested' => array( 1, 2 ) ),
		);
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'good', 'data' => $good ) )->get_status() );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => wp_presence_post_room( $mine ), 'client_id' => 'good', 'data' => array( 'post_id' => $mine ) ) )->get_status() );
		// Free-form rooms are the caller's own.
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'chat/free', 'client_id' => 'c', 'data' => array( 'screen' => array( 'any' ), 'post_id' => 'x' ) ) )->get_status() );
	}

	/**
	 * Whatever an entry holds (written before these checks, or by other code through the store),
	 * every viewer's replies are valid JSON, with no warnings, and show nothing of it.
	 *
	 * @dataProvider roles
	 *
	 * @param string $role Viewer's role.
	 */
	public function test_readers_defend_against_anything_stored( $role ) {
		$writer = $this->make_user( 'editor' );
		$post   = $this->make_post( $writer );
		$room   = wp_presence_post_room( $post );
		$store  = wp_presence_store();
		$junk   = array(
			'screen'   => array( 'nested' => array( 'deep' => 1 ) ),
			'activity' => array( 'online' ),
			'post_id'  => array( $post ),
			'title'    => array( 'x' ),
			'_wp'      => array(
				'u' => $writer,
				'n' => array( 'not a name' ),
				'a' => array( 'not a url' ),
				'p' => array( 'invisible' ),
			),
		);
		$store->upsert( 'admin/online', 'junk-1', $writer, $junk, 60 );
		$store->upsert( 'admin/online', 'junk-2', $writer, array( 'screen' => str_repeat( 'x', 10240 ), 'activity' => "online\u{0000}" ), 60 );
		$store->upsert( 'admin/online', 'junk-3', $writer, array( 'screen' => "<script>alert(1)</script>", 'post_id' => "$post abc" ), 60 );
		$store->upsert( $room, 'junk-4', $writer, $junk, 60 );
		$viewer = $this->viewer( $role );

		$seen = $this->observe( $viewer, array( 'admin/online', $room ), $post, array( $writer ) );
		$json = wp_json_encode( $seen );
		$this->assertIsString( $json, "$role: valid JSON" );
		$this->assertStringNotContainsString( str_repeat( 'x', 65 ), $json, "$role: no huge screen" );
		$this->assertStringNotContainsString( 'script', $json );
		$this->assertStringNotContainsString( 'not a name', $json );
		if ( $viewer && user_can( $viewer, 'edit_posts' ) ) {
			wp_set_current_user( $viewer );
			$rows = wp_list_filter( wp_presence_online_users(), array( 'user_id' => $writer ) );
			$row  = reset( $rows );
			$this->assertSame( get_userdata( $writer )->display_name, $row['display_name'], "$role: the name comes from the user" );
			$this->assertSame( 'online', $row['status'] );
			$this->assertContains( $row['screen'], array( '', 'post' ), "$role: no junk screen" );
		}
	}
}
