<?php
/**
 * Admin notices and the Site Health test: which backend is active, and why; dismissing the notice.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * User meta of the dismissed notices: notice id => the key of the reason it was dismissed for.
 */
const WP_PRESENCE_DISMISSED_META = 'wp_presence_dismissed_notices';

/**
 * Registers the hooks of the notice dismissal (called once from the main file).
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_admin_hooks() {
	// Default priority: the dismiss button of the backend notice (Ajax, logged-in users only).
	add_action( 'wp_ajax_wp_presence_dismiss_notice', 'wp_presence_dismiss_notice' );
	// Default priority: the same without JavaScript (the notice's "Dismiss" link).
	add_action( 'admin_post_wp_presence_dismiss_notice', 'wp_presence_dismiss_notice' );
}

/**
 * Whether the current user may see (and so dismiss) the backend notice.
 *
 * @since 1.1.0
 *
 * @return bool
 */
function wp_presence_can_see_backend_notice() {
	return current_user_can( 'activate_plugins' ); // Super admins have it on every screen of a network.
}

/**
 * The key of the backend notice's current reason: a notice dismissed for one reason comes
 * back when the backend or its reason changes (the extension went away, Redis became
 * unreachable, a new error).
 *
 * @since 1.1.0
 *
 * @return string
 */
function wp_presence_backend_notice_key() {
	$backend = wp_presence_backend(); // Also fills in the reason.
	$why     = isset( $GLOBALS['wp_presence_backend_why'] ) ? (array) $GLOBALS['wp_presence_backend_why'] : array();
	return substr( md5( $backend . '|' . implode( '|', array_map( 'strval', $why ) ) ), 0, 16 );
}

/**
 * Whether the current user dismissed a notice for its current reason.
 *
 * @since 1.1.0
 *
 * @param string $notice Notice id ('backend').
 * @param string $key    Key of its current reason.
 * @return bool
 */
function wp_presence_notice_dismissed( $notice, $key ) {
	$dismissed = get_user_meta( get_current_user_id(), WP_PRESENCE_DISMISSED_META, true );
	return is_array( $dismissed ) && isset( $dismissed[ $notice ] ) && hash_equals( (string) $dismissed[ $notice ], (string) $key );
}

/**
 * On the Plugins screen, tells administrators which backend is active and why. Each user may
 * dismiss it; it comes back when the reason changes.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_backend_notice() {
	$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
	if ( ! $screen || ! in_array( $screen->id, array( 'plugins', 'plugins-network' ), true ) || ! wp_presence_can_see_backend_notice() ) {
		return;
	}
	if ( wp_presence_notice_dismissed( 'backend', wp_presence_backend_notice_key() ) ) {
		return;
	}
	$backend = wp_presence_backend();
	$class   = 'sql' === $backend ? 'notice-warning' : 'notice-info';
	$nonce   = wp_create_nonce( 'wp_presence_dismiss_notice' );
	$no_js   = add_query_arg(
		array(
			'action'   => 'wp_presence_dismiss_notice',
			'notice'   => 'backend',
			'_wpnonce' => $nonce,
		),
		admin_url( 'admin-post.php' )
	);
	printf(
		'<div class="notice %1$s is-dismissible presence-backend-notice" data-presence-notice="backend" data-presence-nonce="%4$s" data-presence-ajax="%5$s"><p><strong>%2$s</strong> %3$s</p><p class="hide-if-js"><a href="%6$s">%7$s</a></p></div>',
		esc_attr( $class ),
		/* translators: %s: backend name, e.g. "extension", "sql" or "redis". */
		esc_html( sprintf( __( 'Presence backend: %s.', 'presence' ), $backend ) ),
		esc_html( wp_presence_backend_reason() ),
		esc_attr( $nonce ),
		esc_url( admin_url( 'admin-ajax.php' ) ),
		esc_url( $no_js ),
		esc_html__( 'Dismiss this notice', 'presence' )
	);
	// Core's common.js adds the close button to .is-dismissible notices and hides them; this
	// remembers the choice.
	wp_print_inline_script_tag(
		"document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('.presence-backend-notice .notice-dismiss');if(!b){return;}var n=b.closest('.presence-backend-notice'),f=new FormData();f.append('action','wp_presence_dismiss_notice');f.append('notice',n.getAttribute('data-presence-notice'));f.append('_wpnonce',n.getAttribute('data-presence-nonce'));fetch(n.getAttribute('data-presence-ajax'),{method:'POST',body:f,credentials:'same-origin'});});"
	);
}

/**
 * Dismisses a notice for the current user (Ajax and admin-post): a valid nonce and the right
 * to see the notice are needed. Remembers the reason, so the notice returns when it changes.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_dismiss_notice() {
	$ajax = wp_doing_ajax();
	// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- checked below, with the notice id.
	$nonce = isset( $_REQUEST['_wpnonce'] ) && is_string( $_REQUEST['_wpnonce'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['_wpnonce'] ) ) : '';
	if ( ! is_user_logged_in() || ! wp_verify_nonce( $nonce, 'wp_presence_dismiss_notice' ) ) {
		wp_die( $ajax ? -1 : esc_html__( 'The link you followed has expired.', 'presence' ), '', array( 'response' => 403 ) );
	}
	if ( ! wp_presence_can_see_backend_notice() ) {
		wp_die( $ajax ? -1 : esc_html__( 'Sorry, you are not allowed to do that.', 'presence' ), '', array( 'response' => 403 ) );
	}
	$notice = isset( $_REQUEST['notice'] ) && is_string( $_REQUEST['notice'] ) ? sanitize_key( wp_unslash( $_REQUEST['notice'] ) ) : '';
	if ( 'backend' !== $notice ) {
		wp_die( $ajax ? -1 : esc_html__( 'Unknown notice.', 'presence' ), '', array( 'response' => 400 ) );
	}
	$user_id   = get_current_user_id();
	$dismissed = get_user_meta( $user_id, WP_PRESENCE_DISMISSED_META, true );
	$dismissed = is_array( $dismissed ) ? $dismissed : array();
	$dismissed[ $notice ] = wp_presence_backend_notice_key();
	update_user_meta( $user_id, WP_PRESENCE_DISMISSED_META, $dismissed );
	if ( $ajax ) {
		wp_send_json_success( array( 'notice' => $notice ) );
	}
	wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url( 'plugins.php' ) );
	exit;
}

/**
 * Shown instead of loading when presence-api itself is active.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_conflict_notice() {
	if ( ! current_user_can( 'activate_plugins' ) ) {
		return;
	}
	printf(
		'<div class="notice notice-error"><p>%s</p></div>',
		esc_html__( 'Presence (native store) is not running: the presence-api plugin is active and provides the same functions. Deactivate one of the two plugins.', 'presence' )
	);
}

/**
 * Registers the Site Health test.
 *
 * @since 1.0.0
 *
 * @param array $tests Tests.
 * @return array
 */
function wp_presence_site_status_tests( $tests ) {
	$tests['direct']['presence_backend'] = array(
		'label' => __( 'Presence backend', 'presence' ),
		'test'  => 'wp_presence_site_health_test',
	);
	$tests['direct']['presence_servers'] = array( 'label' => __( 'Presence across web servers', 'presence' ), 'test' => 'wp_presence_servers_health_test' );
	return $tests;
}

/**
 * Site Health: states the active backend and why.
 *
 * @since 1.0.0
 *
 * @return array
 */
function wp_presence_site_health_test() {
	$backend = wp_presence_backend();
	$ok      = 'sql' !== $backend && wp_presence_is_available();
	$detail  = '';
	// Counts as the viewer's view sees them (hidden users are not counted); the segment's fill
	// level only in whole percent.
	if ( 'redis' === $backend ) {
		try {
			$counts = wp_presence_site_counts();
			$detail = sprintf(
				/* translators: 1: live entries, 2: namespace. */
				__( '%1$d live entries on this site; its namespace is %2$s.', 'presence' ),
				$counts['entries'],
				wp_presence_store()->get_namespace()
			);
		} catch ( Throwable $e ) {
			$ok     = false;
			$detail = $e->getMessage();
		}
	} elseif ( 'extension' === $backend ) {
		try {
			$counts = wp_presence_site_counts();
			$stats  = wp_presence_store()->stats();
			$detail = sprintf(
				/* translators: 1: live entries, 2: percentage of the store in use, 3: namespace. */
				__( '%1$d live entries on this site; the store is %2$d%% full; this site\'s namespace is %3$s.', 'presence' ),
				$counts['entries'],
				empty( $stats['capacity'] ) ? 0 : (int) round( 100 * (int) $stats['entries'] / (int) $stats['capacity'] ),
				wp_presence_store()->get_namespace()
			);
		} catch ( Throwable $e ) {
			$ok     = false;
			$detail = $e->getMessage();
		}
	}
	return array(
		'label'       => $ok
			/* translators: %s: backend name. */
			? sprintf( __( 'Presence uses the %s backend', 'presence' ), $backend )
			/* translators: %s: backend name. */
			: sprintf( __( 'Presence uses the %s backend (slower fallback)', 'presence' ), $backend ),
		'status'      => $ok ? 'good' : 'recommended',
		'badge'       => array(
			'label' => __( 'Performance', 'presence' ),
			'color' => 'blue',
		),
		'description' => '<p>' . esc_html( wp_presence_backend_reason() ) . '</p>' . ( '' !== $detail ? '<p>' . esc_html( $detail ) . '</p>' : '' ),
		'actions'     => '',
		'test'        => 'presence_backend',
	);
}
