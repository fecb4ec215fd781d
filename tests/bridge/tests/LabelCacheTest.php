<?php
/**
 * Memoised status and screen labels.
 *
 * @package Presence
 */

/**
 * Labels are memoised per locale and value, and still follow locale switches.
 */
class LabelCacheTest extends Presence_TestCase {

	/**
	 * gettext filter: prefixes the bridge's strings with the locale being determined.
	 *
	 * @param string $translation Translation.
	 * @param string $text        Text.
	 * @param string $domain      Domain.
	 * @return string
	 */
	public static function tag_locale( $translation, $text, $domain ) {
		return 'presence' === $domain && 'en_US' !== determine_locale() ? '[' . determine_locale() . '] ' . $text : $translation;
	}

	public function test_labels_follow_the_determined_locale() {
		$a = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tablabel1', array( 'screen' => 'edit-post', 'activity' => 'idle' ) ) );
		wp_set_current_user( $a );
		$this->add_test_filter( 'gettext', array( __CLASS__, 'tag_locale' ), 10, 3 );
		$row = wp_presence_online_users()[0];
		$this->assertSame( 'Idle', $row['status_label'] );
		$this->assertSame( 'Posts', $row['screen_label'] );

		$de = static function () {
			return 'de_DE';
		};
		$this->add_test_filter( 'determine_locale', $de );
		$row = wp_presence_online_users()[0];
		$this->assertSame( 'Idle', $row['status_label'], 'the locale is determined once per request and user' );
		do_action( 'change_locale', 'de_DE' ); // As switch_to_locale() does.
		$row = wp_presence_online_users()[0];
		$this->assertSame( '[de_DE] Idle', $row['status_label'], 'a new locale is a new cache key' );
		$this->assertSame( '[de_DE] Posts', $row['screen_label'] );
		$this->assertSame( '[de_DE] Do not disturb', wp_presence_status_label( 'dnd' ) );

		remove_filter( 'determine_locale', $de );
		do_action( 'change_locale', 'en_US' ); // As restore_previous_locale() does.
		$row = wp_presence_online_users()[0];
		$this->assertSame( 'Idle', $row['status_label'], 'back to the first locale' );
		$this->assertSame( 'Posts', $row['screen_label'] );
	}

	public function test_change_locale_empties_the_memo() {
		$a = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tablabel2', array( 'screen' => 'upload' ) ) );
		wp_set_current_user( $a );
		$this->assertSame( 'Online', wp_presence_online_users()[0]['status_label'] );
		$this->assertSame( 'Media', wp_presence_screen_label( 'upload' ) );

		// Same locale, new translations (as after switch_to_locale() loaded other files).
		$loud = static function ( $translation, $text, $domain ) {
			return 'presence' === $domain ? strtoupper( $text ) : $translation;
		};
		$this->add_test_filter( 'gettext', $loud, 10, 3 );
		$this->assertSame( 'Online', wp_presence_status_label( 'online' ), 'memoised within the locale' );
		do_action( 'change_locale', determine_locale() );
		$row = wp_presence_online_users()[0];
		$this->assertSame( 'ONLINE', $row['status_label'] );
		$this->assertSame( 'MEDIA', $row['screen_label'] );
		$this->assertSame( 'MEDIA', wp_presence_screen_label( 'upload' ) );
	}

	public function test_edit_links_match_core() {
		$a    = $this->make_user( 'administrator' ); // Sees others' locations (view_presence_location).
		$post = $this->make_post( $a );
		$page = $this->make_post( $a, array( 'post_type' => 'page' ) );
		$this->heartbeat( $a, $this->ping( 'tablink01', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $a, $this->ping( 'tablink02', array( 'screen' => 'page', 'post_id' => $page, 'activity' => 'idle' ) ), 'page' );
		$b = $this->make_user( 'editor' );
		$this->heartbeat( $b, $this->ping( 'tablink03', array( 'screen' => 'page', 'post_id' => $page ) ), 'page' );
		wp_set_current_user( $a );
		$urls = array();
		foreach ( wp_presence_online_users() as $row ) {
			$this->assertSame( get_edit_post_link( $row['post_id'], 'raw' ), $row['url'] );
			$urls[] = $row['url'];
		}
		foreach ( wp_presence_active_posts() as $p ) {
			$this->assertSame( get_edit_post_link( $p['post_id'], 'raw' ), $p['edit_url'] );
		}
		$this->assertContains( admin_url( 'post.php?post=' . $page . '&action=edit' ), $urls );

		// A get_edit_post_link filter is honoured.
		$filter = static function ( $link, $id ) {
			return 'https://example.org/edit/' . $id;
		};
		$this->add_test_filter( 'get_edit_post_link', $filter, 10, 2 );
		foreach ( wp_presence_online_users() as $row ) {
			$this->assertSame( 'https://example.org/edit/' . $row['post_id'], $row['url'] );
		}
		foreach ( wp_presence_active_posts() as $p ) {
			$this->assertSame( 'https://example.org/edit/' . $p['post_id'], $p['edit_url'] );
		}
	}
}
