<?php
/**
 * What kind of request this is, for the files that leave work out of a Heartbeat tick (the
 * bridge's most frequent request): loaded first, so each of them can ask.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Whether this request is a Heartbeat tick (admin-ajax.php, action `heartbeat`). Work hooked on
 * `init` or `admin_init` that only admin pages, options.php or REST use is left out of it: a
 * tick is the bridge's most frequent request.
 *
 * @since 1.4.0
 *
 * @return bool
 */
function wp_presence_is_heartbeat_request() {
	// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only compared, as admin-ajax.php dispatches on it; Heartbeat checks its own nonce.
	return wp_doing_ajax() && isset( $_REQUEST['action'] ) && 'heartbeat' === $_REQUEST['action'];
}
