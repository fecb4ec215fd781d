<?php
/**
 * Admin UI: the "Who's Online" and "Active Posts" dashboard widgets.
 *
 * Both are rendered here from the bridge API, then redrawn by
 * `assets/presence.js` from Heartbeat replies, only when something changed.
 * The markup built here and the markup built by the script are the same,
 * except "+N more" beyond the first rows: without the script it is the link
 * to the Users list's Online view, with it also a list paged over REST.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * How many users "Who's Online" lists in full before "+N more".
 *
 * @return int
 */
function wp_presence_ui_widget_full_rows() {
	/**
	 * Filters how many users the "Who's Online" widget lists in full before "+N more".
	 *
	 * @param int $rows Default 3.
	 */
	return max( 1, (int) apply_filters( 'wp_presence_widget_full_rows', 3 ) );
}

/**
 * Above how many other users "Who's Online" switches to an avatar stack.
 *
 * @return int
 */
function wp_presence_ui_widget_stack_after() {
	/**
	 * Filters above how many other users "Who's Online" shows an avatar stack instead of a list.
	 *
	 * @param int $count Default 20.
	 */
	return max( 1, (int) apply_filters( 'wp_presence_widget_stack_after', 20 ) );
}

/**
 * Registers the dashboard widgets.
 *
 * @return void
 */
function wp_presence_ui_dashboard_setup() {
	if ( ! wp_presence_ui_api_available() || ! wp_presence_ui_user_can_see() ) {
		return;
	}
	wp_add_dashboard_widget( 'wp_presence_online', __( "Who's Online", 'presence' ), 'wp_presence_ui_online_widget' );
	if ( function_exists( 'wp_presence_active_posts' ) ) {
		wp_add_dashboard_widget( 'wp_presence_active_posts', __( 'Active Posts', 'presence' ), 'wp_presence_ui_active_posts_widget' );
	}
}

/**
 * Body of "Who's Online" (everything the script redraws).
 *
 * `$others` may hold only the first users (a bounded read, `wp_presence_ui_online_page()`):
 * the counts come from `$total`, and what is not in `$others` is a link to the Users list's
 * Online view (the script adds a list that pages through REST).
 *
 * @since 1.4.0 The `$total` parameter.
 *
 * @param array[]  $others Normalised rows of others, most recent first.
 * @param int|null $total  How many other users are online; null for `count( $others )`.
 * @return string HTML.
 */
function wp_presence_ui_online_widget_body( $others, $total = null ) {
	$count = max( count( $others ), (int) $total );
	if ( 0 === $count ) {
		return '<p class="wp-presence-empty">' . esc_html__( 'Nobody else is online right now.', 'presence' ) . '</p>';
	}

	$html = '<p class="wp-presence-summary">' . esc_html(
		/* translators: %s: number of other users online. */
		sprintf( _n( '%s other user online', '%s other users online', $count, 'presence' ), number_format_i18n( $count ) )
	) . '</p>';
	$url  = wp_presence_ui_online_users_url();
	$all  = '' !== $url ? sprintf(
		'<p class="wp-presence-all"><a href="%1$s">%2$s</a></p>',
		esc_url( $url ),
		esc_html__( 'View all online users', 'presence' )
	) : '';

	if ( $count > wp_presence_ui_widget_stack_after() ) {
		return $html . wp_presence_ui_avatar_stack_html( $others, wp_presence_ui_widget_stack_after(), 32, $count ) . $all;
	}

	$full  = wp_presence_ui_widget_full_rows();
	$html .= '<ul class="wp-presence-list">';
	foreach ( array_slice( $others, 0, $full ) as $row ) {
		$html .= wp_presence_ui_user_row_html( $row );
	}
	$html .= '</ul>';

	$rest = array_slice( $others, $full );
	if ( $count > $full ) {
		$html .= '<details class="wp-presence-more"><summary>' . esc_html(
			/* translators: %s: number of further users. */
			sprintf( __( '+%s more', 'presence' ), number_format_i18n( $count - $full ) )
		) . '</summary><ul class="wp-presence-list">';
		foreach ( $rest as $row ) {
			$html .= wp_presence_ui_user_row_html( $row );
		}
		$html .= '</ul></details>';
	}
	// A `wp_presence_heartbeat_rows` bound below the widget's list: the rest is a link away.
	return count( $others ) < $count ? $html . $all : $html;
}

/**
 * Prints "Who's Online": the first users only, and the total (`wp_presence_ui_online_page()`).
 *
 * @return void
 */
function wp_presence_ui_online_widget() {
	$page = wp_presence_ui_online_page();
	echo '<div class="wp-presence-widget wp-presence-online" data-wp-presence-widget="online">';
	echo '<div class="wp-presence-body">';
	echo wp_presence_ui_online_widget_body( $page['users'], $page['total'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Escaped while built.
	echo '</div>';
	echo '<p class="wp-presence-announce screen-reader-text" aria-live="polite" aria-atomic="true"></p>';
	echo '</div>';
}

/**
 * Body of "Active Posts".
 *
 * @param array[] $posts Posts from `wp_presence_ui_active_posts()`.
 * @return string HTML.
 */
function wp_presence_ui_active_posts_body( $posts ) {
	if ( ! $posts ) {
		return '<p class="wp-presence-empty">' . esc_html__( 'No posts are being edited right now.', 'presence' ) . '</p>';
	}
	$html = '<ul class="wp-presence-posts">';
	foreach ( $posts as $post ) {
		$title = '' !== $post['title'] ? $post['title'] : __( '(no title)', 'presence' );
		$title = '' !== $post['edit_url']
			? sprintf( '<a class="wp-presence-post__title" href="%1$s">%2$s</a>', esc_url( $post['edit_url'] ), esc_html( $title ) )
			: sprintf( '<span class="wp-presence-post__title">%s</span>', esc_html( $title ) );
		$names = array();
		foreach ( $post['editors'] as $editor ) {
			$names[] = sprintf(
				'<li class="wp-presence-editor" data-user-id="%1$d"><span class="wp-presence-editor__name">%2$s</span> %3$s</li>',
				(int) $editor['user_id'],
				esc_html( $editor['display_name'] ),
				wp_presence_ui_status_html( $editor['status'], $editor['status_label'] )
			);
		}
		$html .= sprintf(
			'<li class="wp-presence-post" data-post-id="%1$d">%2$s<span class="wp-presence-post__count">%3$s</span>%4$s<ul class="wp-presence-editors">%5$s</ul></li>',
			(int) $post['post_id'],
			$title,
			esc_html(
				/* translators: %s: number of users editing the post. */
				sprintf( _n( '%s editor', '%s editors', count( $post['editors'] ), 'presence' ), number_format_i18n( count( $post['editors'] ) ) )
			),
			wp_presence_ui_avatar_stack_html( $post['editors'], 5, 24 ),
			implode( '', $names )
		);
	}
	return $html . '</ul>';
}

/**
 * Prints "Active Posts".
 *
 * @return void
 */
function wp_presence_ui_active_posts_widget() {
	echo '<div class="wp-presence-widget wp-presence-active-posts" data-wp-presence-widget="active-posts">';
	echo '<div class="wp-presence-body">';
	echo wp_presence_ui_active_posts_body( wp_presence_ui_active_posts() ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Escaped while built.
	echo '</div>';
	echo '<p class="wp-presence-announce screen-reader-text" aria-live="polite" aria-atomic="true"></p>';
	echo '</div>';
}
