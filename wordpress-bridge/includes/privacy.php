<?php
/**
 * Privacy tools: the personal data exporter and eraser for presence, and the suggested privacy
 * policy text.
 *
 * What presence keeps about a user on a site: their live entries in every room (where they are,
 * what they edit, the display name and avatar URL their tabs stored), the revisions of the
 * stale-screen warning that name them as the last saver, and their preference (user meta).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the exporter.
 *
 * Hooked to `wp_privacy_personal_data_exporters`.
 *
 * @since 1.1.0
 *
 * @param array $exporters Exporters.
 * @return array
 */
function wp_presence_register_privacy_exporter( $exporters ) {
	$exporters['wp-presence'] = array(
		'exporter_friendly_name' => __( 'Presence', 'presence' ),
		'callback'               => 'wp_presence_privacy_export',
	);
	return $exporters;
}

/**
 * Registers the eraser.
 *
 * Hooked to `wp_privacy_personal_data_erasers`.
 *
 * @since 1.1.0
 *
 * @param array $erasers Erasers.
 * @return array
 */
function wp_presence_register_privacy_eraser( $erasers ) {
	$erasers['wp-presence'] = array(
		'eraser_friendly_name' => __( 'Presence', 'presence' ),
		'callback'             => 'wp_presence_privacy_erase',
	);
	return $erasers;
}

/**
 * Items exported per page.
 *
 * @since 1.1.0
 *
 * @return int
 */
function wp_presence_privacy_page_size() {
	/**
	 * Filters how many presence items one page of a personal data export holds.
	 *
	 * @since 1.1.0
	 *
	 * @param int $size Default 100.
	 */
	return max( 1, (int) apply_filters( 'wp_presence_privacy_page_size', 100 ) );
}

/**
 * Every export item of a user on the current site, in a stable order (pages are cut from it).
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return array[] Export items (item_id, data).
 */
function wp_presence_privacy_items( $user_id ) {
	$items = array();
	$pref  = (string) get_user_meta( $user_id, WP_PRESENCE_PREFERENCE_META, true );
	if ( in_array( $pref, array( 'dnd', 'invisible' ), true ) ) {
		$items[] = array(
			'item_id' => 'presence-preference',
			'data'    => array(
				array(
					'name'  => __( 'Presence preference', 'presence' ),
					'value' => wp_presence_status_label( $pref ),
				),
			),
		);
	}
	$entries = array();
	foreach ( wp_presence_site_namespaces() as $ns ) { // An invisible user's entries live in the hidden one.
		$entries = array_merge(
			$entries,
			wp_presence_in_namespace(
				$ns,
				static function ( WP_Presence_Store $store ) use ( $user_id ) {
					return $store->user_entries( $user_id );
				}
			)
		);
	}
	usort(
		$entries,
		static function ( $a, $b ) {
			return array( $a['room'], $a['client_id'] ) <=> array( $b['room'], $b['client_id'] );
		}
	);
	foreach ( $entries as $entry ) {
		$items[] = array(
			'item_id' => 'presence-entry-' . substr( md5( $entry['room'] . "\0" . $entry['client_id'] ), 0, 16 ),
			'data'    => wp_presence_privacy_entry_data( $entry ),
		);
	}
	foreach ( wp_presence_screen_revisions_by( $user_id ) as $key => $saved_at ) {
		$items[] = array(
			'item_id' => 'presence-screen-' . substr( md5( $key ), 0, 16 ),
			'data'    => array(
				array(
					'name'  => __( 'Screen you last saved', 'presence' ),
					'value' => $key,
				),
				array(
					'name'  => __( 'Saved at (UTC)', 'presence' ),
					'value' => gmdate( 'Y-m-d H:i:s', $saved_at ),
				),
			),
		);
	}
	return $items;
}

/**
 * The name/value pairs of one entry.
 *
 * @since 1.1.0
 *
 * @param array $entry Store entry.
 * @return array[]
 */
function wp_presence_privacy_entry_data( array $entry ) {
	$data = is_array( $entry['data'] ) ? $entry['data'] : array();
	$card = isset( $data['_wp'] ) && is_array( $data['_wp'] ) ? $data['_wp'] : array();
	unset( $data['_wp'] );
	$out = array(
		array(
			'name'  => __( 'Room', 'presence' ),
			'value' => (string) $entry['room'],
		),
		array(
			'name'  => __( 'Client id', 'presence' ),
			'value' => (string) $entry['client_id'],
		),
	);
	if ( isset( $data['screen'] ) && is_scalar( $data['screen'] ) ) {
		$out[] = array(
			'name'  => __( 'Where', 'presence' ),
			'value' => wp_presence_screen_label( (string) $data['screen'] ),
		);
	}
	if ( ! empty( $data['post_id'] ) && is_scalar( $data['post_id'] ) && get_post( (int) $data['post_id'] ) ) {
		$out[] = array(
			'name'  => __( 'Post', 'presence' ),
			/* translators: 1: post title, 2: post id. */
			'value' => sprintf( __( '%1$s (#%2$d)', 'presence' ), wp_presence_post_title( (int) $data['post_id'] ), (int) $data['post_id'] ),
		);
	}
	if ( isset( $data['activity'] ) && is_scalar( $data['activity'] ) ) {
		$out[] = array(
			'name'  => __( 'Activity', 'presence' ),
			'value' => wp_presence_status_label( (string) $data['activity'] ),
		);
	}
	if ( ! empty( $card['n'] ) ) {
		$out[] = array(
			'name'  => __( 'Display name stored with it', 'presence' ),
			'value' => (string) $card['n'],
		);
	}
	if ( ! empty( $card['a'] ) ) {
		$out[] = array(
			'name'  => __( 'Avatar URL stored with it', 'presence' ),
			'value' => (string) $card['a'],
		);
	}
	$rest = array_diff_key( $data, array_flip( array( 'screen', 'post_id', 'activity' ) ) );
	if ( $rest ) {
		$out[] = array(
			'name'  => __( 'Other data', 'presence' ),
			'value' => (string) wp_json_encode( $rest, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ),
		);
	}
	$out[] = array(
		'name'  => __( 'Last written (UTC)', 'presence' ),
		'value' => gmdate( 'Y-m-d H:i:s', (int) $entry['updated'] ),
	);
	$out[] = array(
		'name'  => __( 'Expires (UTC)', 'presence' ),
		'value' => gmdate( 'Y-m-d H:i:s', (int) $entry['expires'] ),
	);
	return $out;
}

/**
 * The exporter: one page of the user's presence on this site.
 *
 * @since 1.1.0
 *
 * @param string $email_address Email address of the request.
 * @param int    $page          Page, from 1.
 * @return array data, done.
 */
function wp_presence_privacy_export( $email_address, $page = 1 ) {
	$user = get_user_by( 'email', (string) $email_address );
	if ( ! $user ) {
		return array(
			'data' => array(),
			'done' => true,
		);
	}
	try {
		$items = wp_presence_privacy_items( (int) $user->ID );
	} catch ( Throwable $e ) {
		$items = array(); // The store is unavailable: nothing of it can be read by anyone either.
	}
	$size  = wp_presence_privacy_page_size();
	$page  = max( 1, (int) $page );
	$slice = array_slice( $items, ( $page - 1 ) * $size, $size );
	$data  = array();
	foreach ( $slice as $item ) {
		$data[] = array(
			'group_id'          => 'wp-presence',
			'group_label'       => __( 'Presence', 'presence' ),
			'group_description' => __( 'Where you were seen in this site\'s admin and what you were editing. Presence entries last a few minutes.', 'presence' ),
			'item_id'           => $item['item_id'],
			'data'              => $item['data'],
		);
	}
	return array(
		'data' => $data,
		'done' => $page * $size >= count( $items ),
	);
}

/**
 * The eraser: removes the user's entries on this site, their preference, and their name from
 * the stale-screen revisions.
 *
 * @since 1.1.0
 *
 * @param string $email_address Email address of the request.
 * @param int    $page          Page (one page does it all).
 * @return array items_removed, items_retained, messages, done.
 */
function wp_presence_privacy_erase( $email_address, $page = 1 ) {
	$user = get_user_by( 'email', (string) $email_address );
	$out  = array(
		'items_removed'  => false,
		'items_retained' => false,
		'messages'       => array(),
		'done'           => true,
	);
	if ( ! $user ) {
		return $out;
	}
	$removed = 0;
	try {
		$removed += (int) wp_presence_remove_user_entries( (int) $user->ID ); // Both namespaces of the site.
		$removed += wp_presence_anonymize_screen_revisions( (int) $user->ID );
	} catch ( Throwable $e ) {
		$out['items_retained'] = true;
		$out['messages'][]     = __( 'The presence store could not be reached; the user\'s live presence entries expire by themselves within minutes.', 'presence' );
	}
	if ( '' !== (string) get_user_meta( (int) $user->ID, WP_PRESENCE_PREFERENCE_META, true ) ) {
		delete_user_meta( (int) $user->ID, WP_PRESENCE_PREFERENCE_META );
		++$removed;
	}
	$out['items_removed'] = $removed > 0;
	return $out;
}

/**
 * Suggests the privacy policy text.
 *
 * Hooked to `admin_init`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_privacy_policy_content() {
	if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
		return;
	}
	if ( wp_presence_is_heartbeat_request() && ! wp_presence_privacy_text_compared() ) {
		return; // A tick shows no policy text, and core compares none on it.
	}
	$content = '<p class="privacy-policy-tutorial">' . esc_html__( 'The Presence plugin shows editors who else is online and who is editing what. Describe it in your policy if logged-in users of your site are not only your own staff.', 'presence' ) . '</p>'
		. '<strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'presence' ) . ' </strong>'
		. '<p>' . esc_html__( 'When you are logged in and have the admin open, this site records which screen you are on, which post you are editing and whether you are active, idle or away, together with your display name and avatar, so that other editors can see who is online. Each record lasts a few minutes after your last activity and is removed when you log out; it is kept in the server\'s memory or database and is not sent to third parties.', 'presence' ) . '</p>'
		. '<p>' . esc_html__( 'When you save a screen (a post, a user profile, a term, a comment or a settings page), your name and the time are kept for up to 12 hours, to warn others who have the same screen open that you updated it.', 'presence' ) . '</p>'
		. '<p>' . esc_html__( 'If you choose "Do not disturb" or "Invisible", that choice is stored with your account until you change it.', 'presence' ) . '</p>';
	// Every string above is escaped and the tags are fixed, so no wp_kses_post(): it cost a
	// tenth of a millisecond on every admin request, Heartbeat ticks included (admin_init).
	wp_add_privacy_policy_content( __( 'Presence', 'presence' ), $content );
}

/**
 * Whether core compares the suggested policy texts on this request, the early returns of
 * WP_Privacy_Policy_Content::text_change_check() (admin_init, priority 100) in its order: a
 * policy page, the user may edit it, suggestions were reviewed on it. Where it compares, the
 * bridge's text must be there, or core would record it as removed.
 *
 * @since 1.4.0
 *
 * @return bool
 */
function wp_presence_privacy_text_compared() {
	$page = (int) get_option( 'wp_page_for_privacy_policy' );
	return $page > 0 && current_user_can( 'edit_post', $page ) && array() !== (array) get_post_meta( $page, '_wp_suggested_privacy_policy_content' );
}
