<?php
/**
 * Admin UI: choosing "Do not disturb" or "Invisible".
 *
 * The picker in the admin bar links to admin-post.php with a nonce, so it
 * works without JavaScript; the script sends the same request to
 * admin-ajax.php instead and updates the page in place.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Preferences the user can pick, with their labels.
 *
 * @return array<string,string> Preference => label; '' is automatic.
 */
function wp_presence_ui_preferences() {
	$preferences = array(
		''          => __( 'Automatic', 'presence' ),
		'dnd'       => __( 'Do not disturb', 'presence' ),
		'invisible' => __( 'Invisible', 'presence' ),
	);
	if ( function_exists( 'wp_presence_invisible_allowed' ) && ! wp_presence_invisible_allowed() ) {
		unset( $preferences['invisible'] );
	}
	return $preferences;
}

/**
 * The nonce'd URL that sets a preference (no-JS fallback of the picker).
 *
 * @param string $preference '', 'dnd' or 'invisible'.
 * @return string
 */
function wp_presence_ui_preference_url( $preference ) {
	return add_query_arg(
		array(
			'action'     => 'wp_presence_status',
			'preference' => '' === $preference ? 'auto' : $preference,
			'_wpnonce'   => wp_create_nonce( 'wp-presence-status' ),
		),
		admin_url( 'admin-post.php' )
	);
}

/**
 * Reads and validates the requested preference.
 *
 * @return string|null '', 'dnd', 'invisible', or null when invalid.
 */
function wp_presence_ui_requested_preference() {
	// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- Callers verify the nonce first.
	$raw = isset( $_REQUEST['preference'] ) ? sanitize_key( wp_unslash( $_REQUEST['preference'] ) ) : '';
	if ( 'auto' === $raw ) {
		return '';
	}
	return in_array( $raw, array( 'dnd', 'invisible' ), true ) ? $raw : null;
}

/**
 * Stores a preference for the current user.
 *
 * @param string $preference '', 'dnd' or 'invisible'.
 * @return bool
 */
function wp_presence_ui_store_preference( $preference ) {
	$user_id = get_current_user_id();
	if ( ! $user_id || ! wp_presence_ui_user_can_see() ) {
		return false;
	}
	if ( function_exists( 'wp_set_user_presence_preference' ) ) {
		return (bool) wp_set_user_presence_preference( $user_id, $preference );
	}
	if ( '' === $preference ) {
		delete_user_meta( $user_id, 'wp_presence_preference' );
		return true;
	}
	return (bool) update_user_meta( $user_id, 'wp_presence_preference', $preference );
}

/**
 * Handles the no-JS picker: admin-post.php?action=wp_presence_status.
 *
 * @return void
 */
function wp_presence_ui_handle_status_post() {
	check_admin_referer( 'wp-presence-status' );
	$preference = wp_presence_ui_requested_preference();
	if ( null === $preference ) {
		wp_die( esc_html__( 'Unknown status.', 'presence' ), '', array( 'response' => 400 ) );
	}
	if ( ! wp_presence_ui_store_preference( $preference ) ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to change your status.', 'presence' ), '', array( 'response' => 403 ) );
	}
	wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url() );
	exit;
}

/**
 * Handles the picker from the script: admin-ajax.php?action=wp_presence_status.
 *
 * @return void Sends JSON `{preference, status, label}`.
 */
function wp_presence_ui_handle_status_ajax() {
	check_ajax_referer( 'wp-presence-status' );
	$preference = wp_presence_ui_requested_preference();
	if ( null === $preference ) {
		wp_send_json_error( array( 'message' => __( 'Unknown status.', 'presence' ) ), 400 );
	}
	if ( ! wp_presence_ui_store_preference( $preference ) ) {
		wp_send_json_error( array( 'message' => __( 'Sorry, you are not allowed to change your status.', 'presence' ) ), 403 );
	}
	$self = wp_presence_ui_self();
	wp_send_json_success(
		array(
			'preference' => $self['preference'],
			'status'     => $self['status'],
			'label'      => wp_presence_ui_status_label( $self['status'] ),
		)
	);
}
