<?php
/**
 * The real-time collaboration caller's pattern, end to end (issue 11): the sync-storage plugin
 * forwards each Yjs awareness entry to wp_set_presence( $room, $client_id, $state, $user_id )
 * and reads wp_get_presence( $room ) back into {client_id, state, updated_at, wp_user_id}.
 *
 * Runs on every backend (the passes of tests/bridge/run.sh).
 *
 * @package Presence
 */

/**
 * Several clients per post room, nested states, access, expiry, collaboration actions.
 */
class DropInCollaborationTest extends Presence_TestCase {

	/**
	 * A Yjs-like awareness state.
	 *
	 * @param string $name   User name.
	 * @param int    $client Yjs client id.
	 * @param int    $clock  Position.
	 * @return array
	 */
	private static function awareness( $name, $client, $clock ) {
		return array(
			'user'      => array(
				'name'  => $name,
				'color' => '#3858e9',
				'wp'    => array(
					'id'     => 0,
					'avatar' => 'https://example.org/a.png',
				),
			),
			'cursor'    => array(
				'anchor' => array(
					'type'  => array( 'client' => $client, 'clock' => 1 ),
					'tname' => null,
					'item'  => array( 'client' => $client, 'clock' => $clock ),
					'assoc' => 0,
				),
				'head'   => array(
					'type'  => array( 'client' => $client, 'clock' => 1 ),
					'item'  => array( 'client' => $client, 'clock' => $clock + 5 ),
					'assoc' => -1,
				),
			),
			'selection' => array(
				'blockIds' => array( 'a1b2', 'c3d4' ),
				'ranges'   => array( array( 0, 12 ), array( 40, 41.5 ) ),
				'empty'    => false,
			),
		);
	}

	/**
	 * What the caller makes of a room: client id => {state, updated_at, wp_user_id}.
	 *
	 * @param string $room Room.
	 * @return array[]
	 */
	private static function read( $room ) {
		$out = array();
		foreach ( wp_get_presence( $room ) as $entry ) {
			$out[ (int) $entry->client_id ] = array(
				'state'      => $entry->data,
				'updated_at' => strtotime( $entry->date_gmt . ' UTC' ),
				'wp_user_id' => (int) $entry->user_id,
			);
		}
		return $out;
	}

	public function test_clients_states_access_expiry_and_collaboration_actions() {
		$ada    = $this->make_user( 'editor' );
		$bob    = $this->make_user( 'editor' );
		$author = $this->make_user( 'author' );
		$post   = $this->make_post( $ada );
		$room   = wp_presence_post_room( $post );
		$events = array();
		foreach ( array( 'started', 'ended' ) as $what ) {
			$this->add_test_filter(
				'wp_presence_collaboration_' . $what,
				static function ( $r, $entries ) use ( &$events, $what ) {
					$events[] = array( $what, $r, count( $entries ) );
				},
				10,
				2
			);
		}

		// Ada in two windows (Gutenberg keys awareness per connection), then Bob.
		wp_set_current_user( $ada );
		$this->assertTrue( wp_can_access_presence_room( $room ) );
		$this->assertTrue( wp_set_presence( $room, 1838452031, self::awareness( 'Ada', 1838452031, 10 ), $ada ) );
		$this->assertTrue( wp_set_presence( $room, 902113, self::awareness( 'Ada', 902113, 3 ), $ada ) );
		$this->assertSame( array(), $events, 'one person in two windows is no collaboration' );

		wp_set_current_user( $bob );
		$this->assertTrue( wp_can_access_presence_room( $room ) );
		$entries = wp_presence_exchange( $room, 4000000001, self::awareness( 'Bob', 4000000001, 7 ), $bob );
		$this->assertCount( 3, $entries );
		$this->assertSame( array( array( 'started', $room, 3 ) ), $events, 'the second person starts it' );

		$seen = self::read( $room );
		$ids  = array_keys( $seen );
		sort( $ids );
		$this->assertSame( array( 902113, 1838452031, 4000000001 ), $ids, 'integer client ids, one entry per connection' );
		$this->assertSame( self::awareness( 'Ada', 1838452031, 10 ), $seen[1838452031]['state'], 'nested state read back unchanged' );
		$this->assertSame( self::awareness( 'Ada', 902113, 3 ), $seen[902113]['state'] );
		$this->assertSame( self::awareness( 'Bob', 4000000001, 7 ), $seen[4000000001]['state'] );
		$this->assertSame( $ada, $seen[902113]['wp_user_id'] );
		$this->assertSame( $bob, $seen[4000000001]['wp_user_id'] );
		$this->assertEqualsWithDelta( WP_Presence_Testing::now(), $seen[4000000001]['updated_at'], 1 );

		// Someone who cannot edit the post is refused the room, through the function and REST.
		wp_set_current_user( $author );
		$this->assertFalse( wp_can_access_presence_room( $room ) );
		$this->assertSame( 403, $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => $room ) )->get_status() );
		$this->assertSame( 403, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => '77', 'data' => array( 'x' => 1 ) ) )->get_status() );
		$this->assertCount( 3, self::read( $room ) );

		// Ada's second window stops writing; the others keep polling, and it expires.
		for ( $i = 1; $i <= 4; $i++ ) {
			WP_Presence_Testing::advance( 40 );
			wp_set_current_user( $ada );
			wp_presence_exchange( $room, 1838452031, self::awareness( 'Ada', 1838452031, 10 + $i ), $ada );
			wp_set_current_user( $bob );
			wp_presence_exchange( $room, 4000000001, self::awareness( 'Bob', 4000000001, 7 + $i ), $bob );
		}
		$seen = self::read( $room );
		$ids  = array_keys( $seen );
		sort( $ids );
		$this->assertSame( array( 1838452031, 4000000001 ), $ids, 'the silent window expired' );
		$this->assertSame( self::awareness( 'Bob', 4000000001, 11 ), $seen[4000000001]['state'] );
		$this->assertCount( 1, $events, 'an expiry of one window ends nothing' );

		// Bob leaves: one person is left.
		$left = wp_presence_leave( $room, 4000000001 );
		$this->assertSame( array( '1838452031' ), wp_list_pluck( $left, 'client_id' ) );
		$this->assertSame( array( array( 'started', $room, 3 ), array( 'ended', $room, 1 ) ), $events );
	}

	public function test_collaboration_counts_people_not_invisible_ones() {
		$ada  = $this->make_user( 'editor' );
		$eve  = $this->make_user( 'editor' );
		$post = $this->make_post( $ada );
		$room = wp_presence_post_room( $post );
		wp_set_user_presence_preference( $eve, 'invisible' );
		$events = 0;
		$this->add_test_filter(
			'wp_presence_collaboration_started',
			static function () use ( &$events ) {
				++$events;
			}
		);
		wp_set_presence( $room, 1, array( 'user' => array( 'name' => 'Ada' ) ), $ada );
		wp_set_presence( $room, 2, array( 'user' => array( 'name' => 'Eve' ) ), $eve );
		$this->assertSame( 0, $events, 'an invisible user does not exist for others' );
		wp_set_current_user( $ada );
		$this->assertSame( array( '1' ), wp_list_pluck( wp_get_presence( $room ), 'client_id' ) );
	}
}
