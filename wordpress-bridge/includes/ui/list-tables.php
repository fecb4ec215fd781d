<?php
/**
 * Admin UI: the "Editors" column of posts lists and the "Online (N)" users view.
 *
 * Each table asks the bridge once per page (`wp_presence_active_posts()` or
 * `wp_presence_online_users()`) and looks rows up by id, so the number of
 * queries does not grow with the rows or the users online.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the "Editors" column on posts lists of post types with presence support.
 *
 * Runs on `load-edit.php`, when the list's post type is known.
 *
 * @return void
 */
function wp_presence_ui_load_posts_list() {
	global $typenow;
	$post_type = $typenow ? $typenow : 'post';
	if ( ! post_type_supports( $post_type, 'presence' ) || ! wp_presence_ui_user_can_see() || ! function_exists( 'wp_presence_active_posts' ) ) {
		return;
	}
	add_filter( "manage_{$post_type}_posts_columns", 'wp_presence_ui_posts_columns' );
	add_action( "manage_{$post_type}_posts_custom_column", 'wp_presence_ui_posts_column', 10, 2 );
}

/**
 * Adds the "Editors" column after the title.
 *
 * @param array<string,string> $columns Columns.
 * @return array<string,string>
 */
function wp_presence_ui_posts_columns( $columns ) {
	$new = array();
	foreach ( $columns as $key => $label ) {
		$new[ $key ] = $label;
		if ( 'title' === $key ) {
			$new['wp_presence_editors'] = __( 'Editors', 'presence' );
		}
	}
	if ( ! isset( $new['wp_presence_editors'] ) ) {
		$new['wp_presence_editors'] = __( 'Editors', 'presence' );
	}
	return $new;
}

/**
 * Editors of every post being edited, keyed by post id, for this request.
 *
 * @return array<int,array[]>
 */
function wp_presence_ui_editors_by_post() {
	static $by_post = null;
	if ( null === $by_post ) {
		$by_post = array();
		foreach ( wp_presence_ui_active_posts() as $post ) {
			$by_post[ $post['post_id'] ] = $post['editors'];
		}
	}
	return $by_post;
}

/**
 * Inner HTML of one "Editors" cell.
 *
 * @param array[] $editors Normalised rows.
 * @return string HTML.
 */
function wp_presence_ui_editors_cell_html( $editors ) {
	if ( ! $editors ) {
		return '<span aria-hidden="true">&#8212;</span><span class="screen-reader-text">' . esc_html__( 'Nobody is editing', 'presence' ) . '</span>';
	}
	$names = array();
	foreach ( $editors as $editor ) {
		/* translators: 1: user display name, 2: status label. */
		$names[] = sprintf( __( '%1$s (%2$s)', 'presence' ), $editor['display_name'], $editor['status_label'] );
	}
	return wp_presence_ui_avatar_stack_html( $editors, 5, 24 )
		/* translators: %s: comma separated list of users and their status. */
		. '<span class="screen-reader-text">' . esc_html( sprintf( __( 'Being edited by %s', 'presence' ), implode( ', ', $names ) ) ) . '</span>';
}

/**
 * Prints one "Editors" cell.
 *
 * @param string $column  Column key.
 * @param int    $post_id Post ID.
 * @return void
 */
function wp_presence_ui_posts_column( $column, $post_id ) {
	if ( 'wp_presence_editors' !== $column ) {
		return;
	}
	$by_post = wp_presence_ui_editors_by_post();
	$editors = isset( $by_post[ (int) $post_id ] ) ? $by_post[ (int) $post_id ] : array();
	printf(
		'<div class="wp-presence-editors-cell" data-post-id="%1$d">%2$s</div>',
		(int) $post_id,
		wp_presence_ui_editors_cell_html( $editors ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Escaped while built.
	);
}

/**
 * Whether the Users list is showing the "Online" view with a valid nonce.
 *
 * @return bool
 */
function wp_presence_ui_is_online_view() {
	// phpcs:disable WordPress.Security.NonceVerification.Recommended -- The nonce is verified right here.
	if ( ! isset( $_GET['presence'], $_GET['presence_nonce'] ) || 'online' !== sanitize_key( wp_unslash( $_GET['presence'] ) ) ) {
		return false;
	}
	$nonce = sanitize_text_field( wp_unslash( $_GET['presence_nonce'] ) );
	// phpcs:enable
	return false !== wp_verify_nonce( $nonce, 'wp-presence-online-users' ) && wp_presence_ui_user_can_see();
}

/**
 * Adds "Online (N)" to the views of the Users list.
 *
 * @param array<string,string> $views Views HTML.
 * @return array<string,string>
 */
function wp_presence_ui_users_views( $views ) {
	$url = wp_presence_ui_online_users_url();
	if ( '' === $url || ! wp_presence_ui_user_can_see() ) {
		return $views;
	}
	$count   = count( wp_presence_ui_online_users() );
	$current = wp_presence_ui_is_online_view();
	if ( $current && isset( $views['all'] ) ) {
		$views['all'] = str_replace( array( ' class="current"', ' aria-current="page"' ), '', $views['all'] );
	}
	$views['wp_presence_online'] = sprintf(
		'<a href="%1$s"%2$s>%3$s <span class="count">(%4$s)</span></a>',
		esc_url( $url ),
		$current ? ' class="current" aria-current="page"' : '',
		esc_html__( 'Online', 'presence' ),
		esc_html( number_format_i18n( $count ) )
	);
	return $views;
}

/**
 * Restricts the Users list to online users in the "Online" view.
 *
 * @param array $args `WP_User_Query` arguments.
 * @return array
 */
function wp_presence_ui_users_query_args( $args ) {
	if ( ! wp_presence_ui_is_online_view() ) {
		return $args;
	}
	$ids             = wp_list_pluck( wp_presence_ui_online_users(), 'user_id' );
	$args['include'] = $ids ? array_map( 'intval', $ids ) : array( 0 );
	return $args;
}

/**
 * Says so when an "Online" link's nonce is missing or expired, instead of silently listing everybody.
 *
 * @return void
 */
function wp_presence_ui_users_notice() {
	// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- Only reads whether the view was asked for.
	if ( ! isset( $_GET['presence'] ) || wp_presence_ui_is_online_view() ) {
		return;
	}
	printf(
		'<div class="notice notice-warning"><p>%1$s <a href="%2$s">%3$s</a></p></div>',
		esc_html__( 'This link to online users has expired, so all users are listed.', 'presence' ),
		esc_url( wp_presence_ui_online_users_url() ),
		esc_html__( 'Show online users', 'presence' )
	);
}

/**
 * Adds a "Status" column to the Users list.
 *
 * @param array<string,string> $columns Columns.
 * @return array<string,string>
 */
function wp_presence_ui_users_columns( $columns ) {
	if ( wp_presence_ui_user_can_see() && wp_presence_ui_api_available() ) {
		$columns['wp_presence_status'] = __( 'Status', 'presence' );
	}
	return $columns;
}

/**
 * Fills the "Status" column from the one list of online users.
 *
 * @param string $output  Cell HTML so far.
 * @param string $column  Column key.
 * @param int    $user_id User ID.
 * @return string
 */
function wp_presence_ui_users_column( $output, $column, $user_id ) {
	if ( 'wp_presence_status' !== $column ) {
		return $output;
	}
	static $by_user = null;
	if ( null === $by_user ) {
		$by_user = array();
		foreach ( wp_presence_ui_online_users() as $row ) {
			$by_user[ $row['user_id'] ] = $row;
		}
	}
	if ( (int) $user_id === get_current_user_id() ) {
		$self = wp_presence_ui_self();
		return wp_presence_ui_status_html( $self['status'] );
	}
	if ( ! isset( $by_user[ (int) $user_id ] ) ) {
		return wp_presence_ui_status_html( 'offline' );
	}
	$row   = $by_user[ (int) $user_id ];
	$where = wp_presence_ui_where( $row );
	return wp_presence_ui_status_html( $row['status'], $row['status_label'] )
		. ( '' !== $where ? '<br /><span class="wp-presence-where">' . esc_html( $where ) . '</span>' : '' );
}
