<?php
/**
 * The avatar fallback's server side: names on core avatars, the script in the head.
 *
 * @package Presence
 */

/**
 * What the fallback script gets from the server.
 */
class AvatarFallbackTest extends Presence_TestCase {

	protected function tearDown(): void {
		unset( $GLOBALS['current_screen'] );
		wp_dequeue_script( 'wp-presence-avatars' );
		wp_dequeue_style( 'wp-presence-avatars' );
		if ( isset( wp_scripts()->registered['wp-presence-avatars'] ) ) {
			wp_scripts()->registered['wp-presence-avatars']->extra = array();
		}
		parent::tearDown();
	}

	public function test_core_avatars_carry_the_users_id_and_escaped_name() {
		$u = $this->make_user( 'editor' );
		$GLOBALS['wpdb']->update( $GLOBALS['wpdb']->users, array( 'display_name' => '"><script>alert(1)</script>' ), array( 'ID' => $u ) );
		clean_user_cache( $u );
		wp_set_current_user( $this->make_user( 'administrator' ) );
		set_current_screen( 'users' );
		get_userdata( $u ); // The users list has its users cached.

		$html = get_avatar( $u, 32 );
		$this->assertStringContainsString( 'data-wp-presence-user="' . $u . '"', $html );
		$this->assertStringContainsString( 'data-display-name="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"', $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertSame( 1, substr_count( $html, 'data-wp-presence-user=' ), 'added once' );
		$this->assertSame( $html, wp_presence_avatar_attributes( $html, $u ), 'a second pass adds nothing' );
	}

	public function test_uncached_users_cost_no_query() {
		global $wpdb;
		$u = $this->make_user( 'editor' );
		wp_set_current_user( $this->make_user( 'administrator' ) );
		set_current_screen( 'dashboard' );
		wp_cache_delete( $u, 'users' );
		$before = $wpdb->num_queries;
		$html   = wp_presence_avatar_attributes( '<img src="x" alt="">', $u );
		$this->assertSame( $before, $wpdb->num_queries );
		$this->assertSame( '<img data-wp-presence-user="' . $u . '" src="x" alt="">', $html, 'the id alone; the script finds the name elsewhere' );
	}

	public function test_only_where_the_fallback_runs() {
		$u = $this->make_user( 'editor' );
		$this->assertSame( '<img src="x">', wp_presence_avatar_attributes( '<img src="x">', $u ), 'logged out on the public site: untouched' );
	}

	public function test_script_is_in_the_head_with_names() {
		$admin = $this->make_user( 'administrator', array( 'display_name' => 'Admin Person' ) );
		wp_set_current_user( $admin );
		set_current_screen( 'dashboard' );
		wp_presence_avatars_enqueue();
		$this->assertTrue( wp_script_is( 'wp-presence-avatars', 'enqueued' ) );
		$this->assertTrue( wp_style_is( 'wp-presence-avatars', 'enqueued' ) );
		$this->assertSame( 0, (int) wp_scripts()->get_data( 'wp-presence-avatars', 'group' ), 'printed in the head, before the images load' );
		$inline = implode( '', wp_scripts()->get_data( 'wp-presence-avatars', 'before' ) );
		$this->assertStringContainsString( '"' . $admin . '":"Admin Person"', $inline );
	}
}
