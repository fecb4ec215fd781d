<?php
/**
 * What one awareness poll (wp_presence_exchange()) costs the database (issue 11): nothing on the
 * extension and Redis, at most a read and a write on SQL.
 *
 * @package Presence
 */

/**
 * Query counts per poll, and room versions that still move for what others see.
 */
class DropInExchangeCostTest extends Presence_TestCase {

	/**
	 * SQL queries of a callback.
	 *
	 * @param callable $fn Callback.
	 * @return int
	 */
	private function queries( $fn ) {
		global $wpdb;
		WP_Presence_Testing::reset_caches();
		$before = $wpdb->num_queries;
		$fn();
		return $wpdb->num_queries - $before;
	}

	public function test_queries_per_poll() {
		$ada  = $this->make_user( 'editor' );
		$bob  = $this->make_user( 'editor' );
		$room = wp_presence_post_room( $this->make_post( $ada ) );
		wp_set_presence( $room, 2, array( 'cursor' => array( 'clock' => 1 ) ), $bob );
		wp_set_current_user( $ada );
		wp_presence_exchange( $room, 1, array( 'cursor' => array( 'clock' => 1 ) ), $ada );
		$sql   = 'sql' === wp_presence_backend();
		$moved = $this->queries(
			static function () use ( $room, $ada ) {
				wp_presence_exchange( $room, 1, array( 'cursor' => array( 'clock' => 2 ) ), $ada );
			}
		);
		$idle  = $this->queries(
			static function () use ( $room, $ada ) {
				wp_presence_exchange( $room, 1, array( 'cursor' => array( 'clock' => 2 ) ), $ada );
			}
		);
		$this->assertSame( $sql ? 2 : 0, $moved, 'a changed state: one read and one write on SQL' );
		$this->assertSame( $sql ? 1 : 0, $idle, 'an unchanged state is not written' );
		$this->assertSame( array( 'cursor' => array( 'clock' => 2 ) ), wp_get_presence( $room, null, '1' )[0]->data );
	}

	public function test_a_change_others_see_still_moves_the_room_version() {
		$ada  = $this->make_user( 'editor' );
		$post = $this->make_post( $ada );
		$room = wp_presence_post_room( $post );
		wp_set_current_user( $ada );
		wp_presence_exchange( $room, 'editor-x', array( 'screen' => 'post', 'cursor' => 1 ), $ada );
		$v1 = wp_presence_store()->room_version( $room );
		wp_presence_exchange( $room, 'editor-x', array( 'screen' => 'post', 'activity' => 'idle', 'cursor' => 1 ), $ada );
		$v2 = wp_presence_store()->room_version( $room );
		$this->assertNotSame( $v1, $v2, 'activity shows in Heartbeat rows' );
		wp_presence_exchange( 'chat/free', 'c', array( 'typing' => false ), $ada );
		$v3 = wp_presence_store()->room_version( 'chat/free' );
		wp_presence_exchange( 'chat/free', 'c', array( 'typing' => true ), $ada );
		$this->assertNotSame( $v3, wp_presence_store()->room_version( 'chat/free' ), 'outside interpreted rooms every change shows' );
		wp_presence_exchange( $room, 'new-one', array(), $ada );
		$this->assertNotSame( $v2, wp_presence_store()->room_version( $room ), 'a new entry' );
	}
}
