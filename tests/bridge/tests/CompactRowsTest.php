<?php
/**
 * The checks behind compact rows: shared affixes of avatar URLs, the plain-URL test of a card's
 * avatar, screen ids and session tags.
 *
 * @package Presence
 */

/**
 * The cheap checks decide exactly as the rules they stand for.
 */
class CompactRowsTest extends Presence_TestCase {

	public function test_common_affixes_are_the_longest_shared_prefix_and_suffix() {
		$urls = array(
			'https://secure.gravatar.com/avatar/aaa1?s=64&d=mm&r=g',
			'https://secure.gravatar.com/avatar/bb2?s=64&d=mm&r=g',
			'https://secure.gravatar.com/avatar/c3?s=64&d=mm&r=g',
		);
		$this->assertSame( array( 'https://secure.gravatar.com/avatar/', '?s=64&d=mm&r=g' ), wp_presence_common_affixes( $urls ) );
		$this->assertSame( array( 'https://secure.gravatar.com/avatar/', '1?s=64&d=mm&r=g' ), wp_presence_common_affixes( array( $urls[0], 'https://secure.gravatar.com/avatar/x1?s=64&d=mm&r=g' ) ) );
		$this->assertSame( array( '', '' ), wp_presence_common_affixes( array( 'abc', 'xyz' ) ) );
		$this->assertSame( array( '', '' ), wp_presence_common_affixes( array( $urls[0] ) ), 'one string: nothing to share' );
		$this->assertSame( array( '', '' ), wp_presence_common_affixes( array() ) );
	}

	public function test_the_suffix_never_overlaps_the_prefix_in_the_shortest_string() {
		$this->assertSame( array( 'ab', '' ), wp_presence_common_affixes( array( 'abab', 'ab' ) ) );
		$this->assertSame( array( 'ab', 'b' ), wp_presence_common_affixes( array( 'abab', 'abb' ) ) );
		$this->assertSame( array( 'same', '' ), wp_presence_common_affixes( array( 'same', 'same' ) ) );
		$this->assertSame( array( '', "\0x" ), wp_presence_common_affixes( array( "a\0x", "b\0\0x" ) ), 'binary safe' );
		$this->assertSame( array( '1', '' ), wp_presence_common_affixes( array( 12, '1', 13 ) ), 'values are compared as strings' );
	}

	public function test_a_card_avatar_is_escaped_unless_it_is_a_plain_http_url() {
		$plain = 'https://secure.gravatar.com/avatar/abc?s=64&d=mm&r=g';
		$this->assertSame( $plain, wp_presence_card_avatar( array( 'a' => $plain ) ) );
		$this->assertSame( '', wp_presence_card_avatar( array( 'a' => '' ) ) );
		foreach ( array( ' ', '"', "'", '<', '>', '\\', '`', '{', '}', '|', '^' ) as $char ) {
			$url = 'https://example.org/a' . $char . 'b.png';
			$this->assertSame( esc_url_raw( $url ), wp_presence_card_avatar( array( 'a' => $url ) ), 'escaped: ' . $char );
		}
		$this->assertSame( esc_url_raw( 'javascript:alert(1)' ), wp_presence_card_avatar( array( 'a' => 'javascript:alert(1)' ) ) );
		// What esc_url_raw() changes besides those: the card (written once per tick) skips it
		// on the same test, so the two must agree on every URL.
		foreach ( array( "a	b", "a
b", "ab", 'a%0Ab', 'a%0db', '[x]', 'x;//y', 'ü', "a'b(c)*!$,@~" ) as $part ) {
			$url = 'https://example.org/' . $part;
			$this->assertSame( esc_url_raw( $url ), wp_presence_card_avatar( array( 'a' => $url ) ), 'as esc_url_raw(): ' . wp_json_encode( $part ) );
		}
	}

	public function test_the_writers_card_holds_its_avatar_as_esc_url_raw_makes_it() {
		$user = $this->make_user( 'editor' );
		$odd  = static function () {
			return 'https://avatars.example/a b/[64]%0a.png';
		};
		$this->add_test_filter( 'get_avatar_url', $odd );
		$this->assertSame( esc_url_raw( $odd() ), wp_presence_user_card( $user )['a'] );
		remove_filter( 'get_avatar_url', $odd );
		$this->assertSame( esc_url_raw( get_avatar_url( $user, array( 'size' => 64 ) ) ), wp_presence_user_card( $user )['a'] );
	}

	public function test_screen_ids_and_session_tags_keep_their_alphabets() {
		foreach ( array( 'edit-post', 'options_general', 'a', str_repeat( 'z', 64 ), '0-9' ) as $id ) {
			$this->assertSame( $id, wp_presence_clean_screen( $id ), $id );
		}
		foreach ( array( '', 'Edit-post', 'edit post', 'edit.php', str_repeat( 'z', 65 ), "edit\0", 'é', 7, null ) as $bad ) {
			$this->assertSame( '', wp_presence_clean_screen( $bad ), var_export( $bad, true ) );
		}
		$card = array(
			'u' => 3,
			'n' => 'Name',
		);
		$this->assertSame( '0123456789abcdef', wp_presence_valid_card( $card + array( 's' => '0123456789abcdef' ), 3 )['s'] );
		foreach ( array( '0123456789ABCDEF', '0123456789abcde', '0123456789abcdef0', '0123456789abcdeg', "0123456789abcde\n" ) as $bad ) {
			$this->assertArrayNotHasKey( 's', wp_presence_valid_card( $card + array( 's' => $bad ), 3 ), var_export( $bad, true ) );
		}
	}
}
