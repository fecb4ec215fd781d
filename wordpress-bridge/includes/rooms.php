<?php
/**
 * Room names: which rooms the bridge interprets, and their one canonical spelling.
 *
 * The SQL table's collation (before it compares binary), and people, take `posttype/post:27`,
 * `postType/Post:27 ` or `postType/post:027` for `postType/post:27`; the bridge does not. So a
 * name that looks like an interpreted room but is not spelled exactly as the bridge spells it is
 * refused everywhere: nothing is read or written under it, on any backend.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Longest room or client id the bridge accepts, in characters (presence-api's columns).
 */
const WP_PRESENCE_MAX_KEY_LENGTH = 191;

/**
 * What kind of room a name is.
 *
 * @since 1.2.0
 *
 * @param mixed $room Room name.
 * @return string|false 'admin' (`admin/online`), 'post' (`postType/{type}:{id}`, spelled
 *                      canonically), 'free' (any other room), or false: not a room (empty, too
 *                      long, not UTF-8, or a non-canonical spelling of an interpreted room).
 */
function wp_presence_room_kind( $room ) {
	if ( ! is_string( $room ) || '' === $room || strlen( $room ) > 4 * WP_PRESENCE_MAX_KEY_LENGTH || mb_strlen( $room, 'UTF-8' ) > WP_PRESENCE_MAX_KEY_LENGTH || ! mb_check_encoding( $room, 'UTF-8' ) ) {
		return false;
	}
	if ( wp_presence_admin_room() === $room ) {
		return 'admin';
	}
	if ( null !== wp_presence_parse_post_room( $room ) ) {
		return 'post';
	}
	$skeleton = wp_presence_room_skeleton( $room );
	if ( 0 === strpos( $skeleton, 'posttype' ) || wp_presence_admin_room() === $skeleton ) {
		return false; // Looks like an interpreted room, is not spelled like one.
	}
	return 'free';
}

/**
 * Whether the bridge gives meaning to a room's data (its location, activity and post).
 *
 * @since 1.2.0
 *
 * @param string $room Room.
 * @return bool
 */
function wp_presence_is_interpreted_room( $room ) {
	return in_array( wp_presence_room_kind( $room ), array( 'admin', 'post' ), true );
}

/**
 * Parses a post room name, spelled canonically: `postType/{type}:{id}` with the post type's
 * registered name (lowercase, as sanitize_key() leaves it) and the id in plain decimal.
 *
 * @since 1.0.0
 *
 * @param string $room Room.
 * @return array|null array( post_type, post_id ) or null.
 */
function wp_presence_parse_post_room( $room ) {
	if ( is_string( $room ) && preg_match( '#^postType/([a-z0-9_-]{1,20}):([1-9][0-9]{0,18})$#D', $room, $m ) ) {
		return array( $m[1], (int) $m[2] );
	}
	return null;
}

/**
 * A room name reduced to what a case-, accent- and space-insensitive comparison sees: lowercase
 * ASCII where it can be, without spaces, invisible characters or accents, with full-width forms
 * and the common Cyrillic and Greek look-alikes of Latin letters folded to them.
 *
 * @since 1.2.0
 *
 * @param string $room Room (valid UTF-8).
 * @return string
 */
function wp_presence_room_skeleton( $room ) {
	$room = (string) $room;
	if ( ! preg_match( '/[^\x21-\x7e]/', $room ) ) {
		return strtolower( $room ); // Printable ASCII, nothing to fold: the common case.
	}
	if ( class_exists( 'Normalizer' ) ) {
		$nfkc = Normalizer::normalize( $room, Normalizer::FORM_KC ); // Full-width, ligatures, ſ, K.
		$room = is_string( $nfkc ) ? $nfkc : $room;
	}
	$room = strtr( $room, wp_presence_confusables() );
	$room = remove_accents( $room );
	$room = (string) preg_replace( '/[\p{Z}\p{C}\p{M}\s]+/u', '', $room );
	return strtolower( $room );
}

/**
 * Look-alikes of the Latin letters in the interpreted room names, and full-width punctuation
 * (for PHP builds without intl's Normalizer).
 *
 * @since 1.2.0
 *
 * @return array<string,string>
 */
function wp_presence_confusables() {
	static $map = null;
	if ( null === $map ) {
		$map = array(
			// Cyrillic.
			"\u{0430}" => 'a', "\u{0410}" => 'a', "\u{0441}" => 'c', "\u{0421}" => 'c', "\u{0435}" => 'e', "\u{0415}" => 'e', "\u{04BB}" => 'h', "\u{041D}" => 'h',
			"\u{0456}" => 'i', "\u{0406}" => 'i', "\u{0458}" => 'j', "\u{041A}" => 'k', "\u{043C}" => 'm', "\u{041C}" => 'm', "\u{043E}" => 'o', "\u{041E}" => 'o',
			"\u{0440}" => 'p', "\u{0420}" => 'p', "\u{0455}" => 's', "\u{0405}" => 's', "\u{0442}" => 't', "\u{0422}" => 't', "\u{0443}" => 'y', "\u{0423}" => 'y',
			"\u{04AE}" => 'y', "\u{04AF}" => 'y', "\u{0445}" => 'x', "\u{0425}" => 'x', "\u{0501}" => 'd', "\u{0500}" => 'd', "\u{0578}" => 'n', "\u{04C0}" => 'l',
			// Greek.
			"\u{03B1}" => 'a', "\u{0391}" => 'a', "\u{03B5}" => 'e', "\u{0395}" => 'e', "\u{0397}" => 'h', "\u{03B9}" => 'i', "\u{0399}" => 'i', "\u{039A}" => 'k',
			"\u{039C}" => 'm', "\u{039D}" => 'n', "\u{03BD}" => 'n', "\u{03BF}" => 'o', "\u{039F}" => 'o', "\u{03C1}" => 'p', "\u{03A1}" => 'p', "\u{03C4}" => 't',
			"\u{03A4}" => 't', "\u{03C5}" => 'y', "\u{03A5}" => 'y', "\u{03B3}" => 'y', "\u{03C7}" => 'x', "\u{03A7}" => 'x',
			// Latin look-alikes and punctuation.
			"\u{0131}" => 'i', "\u{017F}" => 's', "\u{2113}" => 'l', "\u{212A}" => 'k', "\u{FF0F}" => '/', "\u{2215}" => '/', "\u{2044}" => '/', "\u{FF1A}" => ':',
			"\u{2236}" => ':', "\u{A789}" => ':', "\u{02D0}" => ':',
		);
		for ( $c = 0x21; $c <= 0x7e; $c++ ) {
			$map[ mb_chr( 0xfee0 + $c, 'UTF-8' ) ] = chr( $c ); // Full-width ASCII.
		}
	}
	return $map;
}

/**
 * A positive id in canonical form: an int, or a string of plain decimal digits without a sign,
 * spaces or leading zeros.
 *
 * @since 1.2.0
 *
 * @param mixed $value Value.
 * @return int The id, or 0 when the value is not one.
 */
function wp_presence_parse_id( $value ) {
	if ( is_int( $value ) ) {
		return $value > 0 ? $value : 0;
	}
	if ( is_string( $value ) && preg_match( '/^[1-9][0-9]{0,18}$/D', $value ) ) {
		return (int) $value;
	}
	return 0;
}

/**
 * A valid client id: 1 to 191 characters of UTF-8.
 *
 * @since 1.2.0
 *
 * @param mixed $client_id Client id.
 * @return bool
 */
function wp_presence_is_client_id( $client_id ) {
	return is_string( $client_id ) && '' !== $client_id && mb_check_encoding( $client_id, 'UTF-8' ) && mb_strlen( $client_id, 'UTF-8' ) <= WP_PRESENCE_MAX_KEY_LENGTH;
}
