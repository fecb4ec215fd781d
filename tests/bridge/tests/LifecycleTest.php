<?php
/**
 * Login, logout, deletion.
 *
 * @package Presence
 */

/**
 * Lifecycle hooks.
 */
class LifecycleTest extends Presence_TestCase {

	public function test_login_writes_presence() {
		$a = $this->make_user( 'editor' );
		do_action( 'wp_login', get_userdata( $a )->user_login, get_userdata( $a ) );
		$entry = wp_presence_store()->get( 'admin/online', 'user-' . $a );
		$this->assertNotNull( $entry );
		$this->assertSame( 'login', $entry['data']['screen'] );
		$this->assertSame( WP_PRESENCE_DEFAULT_TTL, $entry['expires'] - $entry['updated'] );
	}

	public function test_subscriber_login_writes_nothing() {
		$s = $this->make_user( 'subscriber' );
		do_action( 'wp_login', get_userdata( $s )->user_login, get_userdata( $s ) );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
	}

	public function test_logout_removes_all_entries_of_the_user() {
		$a    = $this->make_user( 'editor' );
		$b    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->heartbeat( $a, $this->ping( 'tabaaaa01', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa02' ) );
		$this->heartbeat( $b, $this->ping( 'tabbbbb01' ) );
		$this->assertCount( 3, wp_presence_store()->user_entries( $a ) );
		do_action( 'wp_logout', $a );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ) );
		$this->assertCount( 1, wp_presence_store()->user_entries( $b ) );
	}

	public function test_deleting_a_user_removes_their_entries() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa01' ) );
		$this->heartbeat( $b, $this->ping( 'tabbbbb01' ) );
		if ( is_multisite() ) {
			wpmu_delete_user( $a );
		} else {
			wp_delete_user( $a );
		}
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ) );
		wp_set_current_user( $b );
		$this->assertSame( array( $b ), $this->ids( wp_presence_online_users() ) );
	}
}
