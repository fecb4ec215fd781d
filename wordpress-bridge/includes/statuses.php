<?php
/**
 * Statuses: the activity of an entry, how present a status is, and the values a reader trusts
 * in an entry's interpreted keys.
 *
 * Readers defend: whatever an entry holds (written by an older version, by other code through
 * the store, or by a client before its input was checked), a value that is not of the expected
 * type and shape reads as absent, so every reply stays valid and small.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Longest screen id the bridge stores or shows.
 */
const WP_PRESENCE_MAX_SCREEN_LENGTH = 64;

/**
 * Rank of an activity: higher is more present.
 *
 * @since 1.0.0
 *
 * @param string $activity 'online', 'idle' or 'away'.
 * @return int
 */
function wp_presence_activity_rank( $activity ) {
	$ranks = array(
		'away'   => 1,
		'idle'   => 2,
		'online' => 3,
	);
	return is_string( $activity ) && isset( $ranks[ $activity ] ) ? $ranks[ $activity ] : 0;
}

/**
 * Activity of one entry. Entries written without one (old protocol, post locks, REST,
 * wp_set_presence()) count as online while they live.
 *
 * @since 1.0.0
 *
 * @param array $entry Store entry.
 * @return string 'online', 'idle' or 'away'.
 */
function wp_presence_entry_activity( array $entry ) {
	if ( isset( $entry['activity'] ) ) { // A seen entry whose location the viewer may not see keeps it here.
		return wp_presence_clean_activity( $entry['activity'] );
	}
	return wp_presence_clean_activity( isset( $entry['data']['activity'] ) ? $entry['data']['activity'] : null );
}

/**
 * An activity as a reader trusts it.
 *
 * @since 1.2.0
 *
 * @param mixed $activity Stored value.
 * @return string 'online', 'idle' or 'away'; 'online' for anything else.
 */
function wp_presence_clean_activity( $activity ) {
	return wp_presence_activity_rank( $activity ) ? $activity : 'online';
}

/**
 * Whether a value is a screen id as the bridge writes them: sanitize_key()'s alphabet, 1 to 64
 * characters.
 *
 * @since 1.2.0
 *
 * @param mixed $screen Value.
 * @return bool
 */
function wp_presence_is_screen_id( $screen ) {
	// trim() leaves nothing of a string made only of the alphabet: no regex per entry and row.
	return is_string( $screen ) && '' !== $screen && strlen( $screen ) <= WP_PRESENCE_MAX_SCREEN_LENGTH && '' === trim( $screen, 'a..z0..9_-' );
}

/**
 * A screen id as a reader trusts it.
 *
 * @since 1.2.0
 *
 * @param mixed $screen Stored value.
 * @return string The screen id, or '' when the value is not one.
 */
function wp_presence_clean_screen( $screen ) {
	return wp_presence_is_screen_id( $screen ) ? $screen : '';
}

/**
 * A screen id a client sent, made into one the bridge stores.
 *
 * @since 1.2.0
 *
 * @param mixed  $screen   Sent value.
 * @param string $fallback When the value is not a scalar.
 * @return string
 */
function wp_presence_client_screen( $screen, $fallback = '' ) {
	$screen = is_scalar( $screen ) ? (string) $screen : (string) $fallback;
	return substr( sanitize_key( $screen ), 0, WP_PRESENCE_MAX_SCREEN_LENGTH );
}
