<?php
/**
 * Users' presence preferences (automatic, do not disturb, invisible) and who is hidden.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * User meta key of the presence preference ('', 'dnd' or 'invisible').
 */
const WP_PRESENCE_PREFERENCE_META = 'wp_presence_preference';

/**
 * A user's stored preference.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return string '', 'dnd' or 'invisible'.
 */
function wp_get_user_presence_preference( $user_id ) {
	$pref = get_user_meta( (int) $user_id, WP_PRESENCE_PREFERENCE_META, true );
	if ( 'invisible' === $pref && ! wp_presence_invisible_allowed() ) {
		return ''; // Invisible mode is switched off on this site (Settings → Presence); the choice is kept.
	}
	return is_string( $pref ) && in_array( $pref, array( 'dnd', 'invisible' ), true ) ? $pref : '';
}

/**
 * Whether a user is forced invisible by the `wp_presence_force_invisible` filter.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return bool
 */
function wp_presence_is_forced_invisible( $user_id ) {
	/**
	 * Filters whether a user is hidden from everyone else's presence views.
	 *
	 * The user's entries are then written to the site's hidden namespace, where nobody else
	 * reads; others see the user as offline. Entries written before the filter started saying
	 * so move there with the user's next write.
	 *
	 * @since 1.0.0
	 *
	 * @param bool $invisible Whether the user is invisible. Default false.
	 * @param int  $user_id   User id.
	 */
	return (bool) apply_filters( 'wp_presence_force_invisible', false, (int) $user_id );
}

/**
 * Whether a user is hidden from everyone else: the `invisible` preference, or the
 * `wp_presence_force_invisible` filter.
 *
 * @since 1.2.0
 *
 * @param int         $user_id User id.
 * @param string|null $pref    The user's preference when the caller has it already (from an
 *                             entry's card), to spare the user meta.
 * @return bool
 */
function wp_presence_user_is_hidden( $user_id, $pref = null ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 ) {
		return false;
	}
	if ( null === $pref ) {
		$pref = wp_get_user_presence_preference( $user_id );
	}
	return ( 'invisible' === $pref && wp_presence_invisible_allowed() ) || wp_presence_is_forced_invisible( $user_id );
}

/**
 * Sets a user's preference. The user's live entries, on every site of a network, are re-stamped
 * with it, and move to the site's hidden namespace (or back) when the user becomes hidden (or
 * visible), so others see the change at once.
 *
 * @since 1.0.0
 *
 * @param int    $user_id User id.
 * @param string $pref    '' (automatic), 'dnd' or 'invisible'.
 * @return bool False for an unknown preference or user, or 'invisible' while invisible mode is off.
 */
function wp_set_user_presence_preference( $user_id, $pref ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 || ! is_string( $pref ) || ! in_array( $pref, array( '', 'dnd', 'invisible' ), true )
		|| ( 'invisible' === $pref && ! wp_presence_invisible_allowed() ) || ! get_userdata( $user_id ) ) {
		return false;
	}
	$was_hidden = wp_presence_user_is_hidden( $user_id );
	if ( '' === $pref ) {
		delete_user_meta( $user_id, WP_PRESENCE_PREFERENCE_META );
	} else {
		update_user_meta( $user_id, WP_PRESENCE_PREFERENCE_META, $pref );
	}
	$hidden = wp_presence_user_is_hidden( $user_id );
	unset( $GLOBALS['wp_presence_cards'][ $user_id ] ); // The request's cached card holds the old one.

	try {
		wp_presence_move_user_entries( $user_id, $was_hidden, $hidden, $pref );
		if ( is_multisite() ) {
			// The preference is the user's on every site: so are their entries' namespaces.
			foreach ( array_keys( get_blogs_of_user( $user_id ) ) as $blog_id ) {
				if ( (int) $blog_id !== get_current_blog_id() ) {
					wp_presence_in_blog(
						(int) $blog_id,
						static function () use ( $user_id, $was_hidden, $hidden, $pref ) {
							return wp_presence_move_user_entries( $user_id, $was_hidden, $hidden, $pref );
						}
					);
				}
			}
		}
	} catch ( Throwable $e ) {
		return true; // The preference is saved; entries catch up with the user's next write.
	}

	/**
	 * Fires after a user's presence preference changed.
	 *
	 * @since 1.0.0
	 *
	 * @param int    $user_id User id.
	 * @param string $pref    '', 'dnd' or 'invisible'.
	 */
	do_action( 'wp_presence_preference_changed', $user_id, $pref );
	return true;
}
