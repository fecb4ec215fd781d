<?php
/**
 * Admin UI: the "N online" admin bar node, its dropdown and the status picker.
 *
 * The node shows in wp-admin and on the front end, for users who see the
 * admin bar and may see presence. Its dropdown lists who is "On this page"
 * and who is "Elsewhere", and lets the user pick "Do not disturb" or
 * "Invisible". `assets/presence.js` redraws it from Heartbeat replies.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Where the current request is: the screen id, the post being edited or
 * viewed, and the URL, the same way the script reports it in Heartbeat.
 *
 * @return array{screen:string,post_id:int,post_type:string,url:string}
 */
function wp_presence_ui_current_location() {
	$location = array(
		'screen'    => 'front',
		'post_id'   => 0,
		'post_type' => '',
		'url'       => '',
	);
	if ( is_admin() ) {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( $screen ) {
			$location['screen'] = (string) $screen->id;
			if ( 'post' === $screen->base && isset( $GLOBALS['post'] ) && $GLOBALS['post'] instanceof WP_Post ) {
				$location['post_id']   = (int) $GLOBALS['post']->ID;
				$location['post_type'] = (string) $GLOBALS['post']->post_type;
			}
		}
	} elseif ( is_singular() ) {
		$location['post_id']   = (int) get_queried_object_id();
		$location['post_type'] = (string) get_post_type( $location['post_id'] );
	}
	return $location;
}

/**
 * Whether a row is on the same page as the current request.
 *
 * @param array $row      Normalised row.
 * @param array $location From `wp_presence_ui_current_location()`.
 * @return bool
 */
function wp_presence_ui_is_here( $row, $location ) {
	if ( $location['post_id'] > 0 || $row['post_id'] > 0 ) {
		return $row['post_id'] === $location['post_id'] && $row['screen'] === $location['screen'];
	}
	return '' !== $row['screen'] && $row['screen'] === $location['screen'] && 'front' !== $row['screen'];
}

/**
 * Label of the admin bar node, for example "3 online".
 *
 * @param int $count Users online, the viewer included.
 * @return string Plain text.
 */
function wp_presence_ui_count_label( $count ) {
	/* translators: %s: number of users online. */
	return sprintf( _n( '%s online', '%s online', $count, 'presence' ), number_format_i18n( $count ) );
}

/**
 * Adds the presence node and its dropdown to the admin bar.
 *
 * @param WP_Admin_Bar $wp_admin_bar The admin bar.
 * @return void
 */
function wp_presence_ui_admin_bar_menu( $wp_admin_bar ) {
	if ( ! wp_presence_ui_api_available() || ! wp_presence_ui_user_can_see() ) {
		return;
	}
	// The first users only, and the total: the dropdown lists what a Heartbeat reply carries.
	$page     = wp_presence_ui_online_page();
	$others   = $page['users'];
	$self     = wp_presence_ui_self();
	$location = wp_presence_ui_current_location();
	$count    = $page['total'] + 1;

	$title = sprintf(
		'<span class="ab-icon dashicons dashicons-groups" aria-hidden="true"></span>%1$s<span class="ab-label wp-presence-ab-count">%2$s</span>',
		wp_presence_ui_avatar_stack_html( $others, 10, 20, $page['total'] ),
		esc_html( wp_presence_ui_count_label( $count ) )
	);
	$wp_admin_bar->add_node(
		array(
			'id'     => 'wp-presence',
			'parent' => 'top-secondary',
			'title'  => $title,
			'href'   => wp_presence_ui_online_users_url(),
			'meta'   => array(
				'class' => 'wp-presence-ab',
				'title' => __( 'Who is online', 'presence' ),
			),
		)
	);

	// The viewer's own status and the picker.
	$wp_admin_bar->add_group(
		array(
			'id'     => 'wp-presence-you',
			'parent' => 'wp-presence',
			'meta'   => array( 'class' => 'ab-sub-secondary wp-presence-ab-you' ),
		)
	);
	$wp_admin_bar->add_node(
		array(
			'id'     => 'wp-presence-you-status',
			'parent' => 'wp-presence-you',
			'title'  => sprintf(
				'<span class="wp-presence-ab-heading">%1$s</span> %2$s',
				esc_html__( 'Your status:', 'presence' ),
				wp_presence_ui_status_html( $self['status'] )
			),
		)
	);
	foreach ( wp_presence_ui_preferences() as $preference => $label ) {
		$current = $preference === $self['preference'];
		$wp_admin_bar->add_node(
			array(
				'id'     => 'wp-presence-pref-' . ( '' === $preference ? 'auto' : $preference ),
				'parent' => 'wp-presence-you',
				'title'  => sprintf(
					'<span class="wp-presence-check" aria-hidden="true">%1$s</span>%2$s%3$s',
					$current ? '&#10003;' : '',
					esc_html( $label ),
					$current ? '<span class="screen-reader-text"> ' . esc_html__( '(current)', 'presence' ) . '</span>' : ''
				),
				'href'   => wp_presence_ui_preference_url( $preference ),
				'meta'   => array(
					'class' => 'wp-presence-pref' . ( $current ? ' wp-presence-pref--current' : '' ),
					'rel'   => 'nofollow',
				),
			)
		);
	}

	$here      = array();
	$elsewhere = array();
	foreach ( $others as $row ) {
		if ( wp_presence_ui_is_here( $row, $location ) ) {
			$here[] = $row;
		} else {
			$elsewhere[] = $row;
		}
	}
	wp_presence_ui_admin_bar_group( $wp_admin_bar, 'here', __( 'On this page', 'presence' ), $here, __( 'Nobody else is on this page.', 'presence' ) );
	$more = $page['total'] - count( $others );
	wp_presence_ui_admin_bar_group( $wp_admin_bar, 'elsewhere', __( 'Elsewhere', 'presence' ), $elsewhere, $more > 0 ? '' : __( 'Nobody else is online.', 'presence' ) );
	if ( $more > 0 ) {
		// Users beyond the first rows are not listed: say how many, and link to the Online view.
		$url = wp_presence_ui_online_users_url();
		$wp_admin_bar->add_node(
			array(
				'id'     => 'wp-presence-elsewhere-more',
				'parent' => 'wp-presence-elsewhere',
				'title'  => '<span class="wp-presence-ab-more">' . esc_html(
					/* translators: %s: number of further users. */
					sprintf( __( '+%s more', 'presence' ), number_format_i18n( $more ) )
				) . '</span>',
				'href'   => '' !== $url ? $url : false,
				'meta'   => array( 'class' => 'wp-presence-ab-more-item' ),
			)
		);
	}
}

/**
 * Adds one group of users ("On this page" or "Elsewhere") to the dropdown.
 *
 * The group always has a heading item, so the script can fill it later even
 * when it starts empty.
 *
 * @param WP_Admin_Bar $wp_admin_bar The admin bar.
 * @param string       $key          'here' or 'elsewhere'.
 * @param string       $heading      Heading text.
 * @param array[]      $rows         Normalised rows.
 * @param string       $empty        Text shown when there is nobody ('' for none: users beyond the
 *                                   listed ones follow).
 * @return void
 */
function wp_presence_ui_admin_bar_group( $wp_admin_bar, $key, $heading, $rows, $empty ) {
	$group = 'wp-presence-' . $key;
	$wp_admin_bar->add_group(
		array(
			'id'     => $group,
			'parent' => 'wp-presence',
			'meta'   => array( 'class' => 'wp-presence-ab-group' ),
		)
	);
	$wp_admin_bar->add_node(
		array(
			'id'     => $group . '-heading',
			'parent' => $group,
			'title'  => '<span class="wp-presence-ab-heading">' . esc_html( $heading ) . '</span>',
			'meta'   => array( 'class' => 'wp-presence-ab-heading-item' ),
		)
	);
	if ( ! $rows && '' !== $empty ) {
		$wp_admin_bar->add_node(
			array(
				'id'     => $group . '-empty',
				'parent' => $group,
				'title'  => '<span class="wp-presence-ab-empty">' . esc_html( $empty ) . '</span>',
				'meta'   => array( 'class' => 'wp-presence-ab-empty-item' ),
			)
		);
		return;
	}
	foreach ( $rows as $row ) {
		$wp_admin_bar->add_node(
			array(
				'id'     => $group . '-user-' . $row['user_id'],
				'parent' => $group,
				'title'  => wp_presence_ui_admin_bar_user_title( $row ),
				'href'   => '' !== $row['url'] ? $row['url'] : false,
				'meta'   => array( 'class' => 'wp-presence-ab-user' ),
			)
		);
	}
}

/**
 * Inner HTML of one user in the dropdown.
 *
 * @param array $row Normalised row.
 * @return string HTML.
 */
function wp_presence_ui_admin_bar_user_title( $row ) {
	$where = wp_presence_ui_where( $row );
	return sprintf(
		'%1$s<span class="wp-presence-ab-name">%2$s</span>%3$s%4$s',
		wp_presence_ui_avatar_html( $row, 20 ),
		esc_html( $row['display_name'] ),
		'' !== $where ? '<span class="wp-presence-ab-where">' . esc_html( $where ) . '</span>' : '',
		wp_presence_ui_status_html( $row['status'], $row['status_label'] )
	);
}
