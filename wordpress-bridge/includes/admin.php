<?php
/**
 * Admin notices and the Site Health test: which backend is active, and why.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * On the Plugins screen, tells administrators which backend is active and why.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_backend_notice() {
	$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
	if ( ! $screen || ! in_array( $screen->id, array( 'plugins', 'plugins-network' ), true ) || ! current_user_can( 'activate_plugins' ) ) {
		return;
	}
	$backend = wp_presence_backend();
	$class   = 'sql' === $backend ? 'notice-warning' : 'notice-info';
	printf(
		'<div class="notice %1$s presence-backend-notice"><p><strong>%2$s</strong> %3$s</p></div>',
		esc_attr( $class ),
		/* translators: %s: backend name, e.g. "extension", "sql" or "redis". */
		esc_html( sprintf( __( 'Presence backend: %s.', 'presence' ), $backend ) ),
		esc_html( wp_presence_backend_reason() )
	);
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
	if ( 'redis' === $backend ) {
		try {
			$stats  = wp_presence_store()->stats();
			$detail = sprintf(
				/* translators: 1: live entries, 2: namespace. */
				__( '%1$d live entries on this site; its namespace is %2$s.', 'presence' ),
				isset( $stats['entries'] ) ? (int) $stats['entries'] : 0,
				wp_presence_store()->get_namespace()
			);
		} catch ( Throwable $e ) {
			$ok     = false;
			$detail = $e->getMessage();
		}
	} elseif ( 'extension' === $backend ) {
		try {
			$stats  = wp_presence_store()->stats();
			$detail = sprintf(
				/* translators: 1: live entries, 2: capacity, 3: namespace. */
				__( '%1$d of %2$d entries in use; this site\'s namespace is %3$s.', 'presence' ),
				isset( $stats['entries'] ) ? (int) $stats['entries'] : 0,
				isset( $stats['capacity'] ) ? (int) $stats['capacity'] : 0,
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
