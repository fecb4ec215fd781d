<?php
/**
 * Admin UI: data access and small templates shared by every surface.
 *
 * Every template here renders from the rows the bridge API returns
 * (`wp_presence_online_users()`, `wp_presence_active_posts()`), which already
 * carry the display name, avatar URL and status of each user. Nothing here
 * loads a user, a post or user meta per row, so a page renders with the same
 * number of queries whether 5 or 500 users are online.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Statuses the UI knows how to draw, most present first.
 *
 * @return string[]
 */
function wp_presence_ui_statuses() {
	return array( 'online', 'idle', 'away', 'dnd', 'invisible', 'offline' );
}

/**
 * Normalises a status to one the UI knows.
 *
 * @param mixed $status Raw status.
 * @return string
 */
function wp_presence_ui_sanitize_status( $status ) {
	$status = is_string( $status ) ? $status : '';
	return in_array( $status, wp_presence_ui_statuses(), true ) ? $status : 'offline';
}

/**
 * Translated label of a status.
 *
 * Uses the bridge's `wp_presence_status_label()` when it is there, so both
 * sides agree on the wording.
 *
 * @param string $status Status.
 * @return string
 */
function wp_presence_ui_status_label( $status ) {
	$status = wp_presence_ui_sanitize_status( $status );
	if ( function_exists( 'wp_presence_status_label' ) ) {
		$label = wp_presence_status_label( $status );
		if ( is_string( $label ) && '' !== $label ) {
			return $label;
		}
	}
	$labels = wp_presence_ui_status_labels();
	return $labels[ $status ];
}

/**
 * Fallback labels of every status, also handed to the browser.
 *
 * @return array<string,string>
 */
function wp_presence_ui_status_labels() {
	return array(
		'online'    => __( 'Online', 'presence' ),
		'idle'      => __( 'Idle', 'presence' ),
		'away'      => __( 'Away', 'presence' ),
		'dnd'       => __( 'Do not disturb', 'presence' ),
		'invisible' => __( 'Invisible', 'presence' ),
		'offline'   => __( 'Offline', 'presence' ),
	);
}

/**
 * Whether the current user may see presence at all (the admin/online room).
 *
 * @return bool
 */
function wp_presence_ui_user_can_see() {
	if ( ! is_user_logged_in() || ( function_exists( 'wp_presence_ui_enabled' ) && ! wp_presence_ui_enabled() ) ) {
		return false;
	}
	if ( function_exists( 'wp_can_access_presence_room' ) && function_exists( 'wp_presence_admin_room' ) ) {
		return (bool) wp_can_access_presence_room( wp_presence_admin_room() );
	}
	return current_user_can( 'edit_posts' );
}

/**
 * Whether the bridge API the UI renders from is loaded.
 *
 * @return bool
 */
function wp_presence_ui_api_available() {
	return function_exists( 'wp_presence_online_users' );
}

/**
 * Normalises one user row so templates can rely on every key.
 *
 * @param array $row Row from `wp_presence_online_users()` or an editor row.
 * @return array
 */
function wp_presence_ui_normalize_row( $row ) {
	$row    = is_array( $row ) ? $row : (array) $row;
	$status = wp_presence_ui_sanitize_status( isset( $row['status'] ) ? $row['status'] : 'online' );
	return array(
		'user_id'      => isset( $row['user_id'] ) ? (int) $row['user_id'] : 0,
		'display_name' => isset( $row['display_name'] ) ? (string) $row['display_name'] : '',
		'avatar_url'   => isset( $row['avatar_url'] ) ? (string) $row['avatar_url'] : '',
		'status'       => $status,
		'status_label' => ! empty( $row['status_label'] ) ? (string) $row['status_label'] : wp_presence_ui_status_label( $status ),
		'screen'       => isset( $row['screen'] ) ? (string) $row['screen'] : '',
		'screen_label' => isset( $row['screen_label'] ) ? (string) $row['screen_label'] : '',
		'post_id'      => isset( $row['post_id'] ) ? (int) $row['post_id'] : 0,
		'title'        => isset( $row['title'] ) ? (string) $row['title'] : '',
		'url'          => isset( $row['url'] ) ? (string) $row['url'] : '',
		'updated'      => isset( $row['updated'] ) ? (int) $row['updated'] : 0,
	);
}

/**
 * Users online that the current user may see, one row per user, cached for the request.
 *
 * @return array[] Normalised rows, most recent first.
 */
function wp_presence_ui_online_users() {
	static $cache = array();
	$viewer       = get_current_user_id();
	if ( isset( $cache[ $viewer ] ) ) {
		return $cache[ $viewer ];
	}
	$rows = array();
	if ( wp_presence_ui_api_available() && wp_presence_ui_user_can_see() ) {
		$rows = array_map( 'wp_presence_ui_normalize_row', (array) wp_presence_online_users() );
		$rows = array_values(
			array_filter(
				$rows,
				static function ( $row ) {
					return $row['user_id'] > 0;
				}
			)
		);
	}
	$cache[ $viewer ] = $rows;
	return $rows;
}

/**
 * What the widget and the admin bar show at first render: the first users in display order
 * (as many as a Heartbeat reply carries, `wp_presence_heartbeat_rows()`) and how many other
 * users there are, cached for the request.
 *
 * A page with 5000 users online renders (and hands the script) 20 rows, not 5000; "+N more"
 * pages through the rest over REST. The same bounded read as Heartbeat's first reply, so the
 * first tick finds the page as it was rendered.
 *
 * @since 1.4.0
 *
 * @return array{users:array[],total:int} `users`: normalised rows of others, most recent
 *                                         first; `total`: other users the viewer sees.
 */
function wp_presence_ui_online_page() {
	static $cache = array();
	$viewer       = get_current_user_id();
	if ( isset( $cache[ $viewer ] ) ) {
		return $cache[ $viewer ];
	}
	$page = array(
		'users' => array(),
		'total' => 0,
	);
	if ( wp_presence_ui_api_available() && wp_presence_ui_user_can_see() ) {
		if ( class_exists( 'WP_Presence_View' ) && method_exists( 'WP_Presence_View', 'bounded_rows' ) && function_exists( 'wp_presence_heartbeat_rows' ) ) {
			try {
				$bounded = WP_Presence_View::current()->bounded_rows( wp_presence_admin_room(), wp_presence_heartbeat_rows() );
			} catch ( Throwable $e ) {
				$bounded = array(
					'users' => array(),
					'total' => 0,
				);
			}
			$rows  = array_map( 'wp_presence_ui_normalize_row', (array) $bounded['users'] );
			$total = (int) $bounded['total'];
		} else {
			// An older bridge without bounded reads: every row, counted here.
			$rows  = wp_presence_ui_online_users();
			$total = count( $rows );
		}
		$others = wp_presence_ui_others(
			array_filter(
				$rows,
				static function ( $row ) {
					return $row['user_id'] > 0;
				}
			)
		);
		// The total counts the viewer while they are in the room (their row is then sent too).
		$self_in = in_array( $viewer, array_map( 'intval', wp_list_pluck( $rows, 'user_id' ) ), true );
		$page    = array(
			'users' => $others,
			'total' => max( count( $others ), $total - ( $self_in ? 1 : 0 ) ),
		);
	}
	$cache[ $viewer ] = $page;
	return $page;
}

/**
 * Posts being edited that the current user may edit, cached for the request.
 *
 * @return array[] Each `post_id, title, edit_url, editors => rows`.
 */
function wp_presence_ui_active_posts() {
	static $cache = array();
	$viewer       = get_current_user_id();
	if ( isset( $cache[ $viewer ] ) ) {
		return $cache[ $viewer ];
	}
	$posts = array();
	if ( function_exists( 'wp_presence_active_posts' ) && wp_presence_ui_user_can_see() ) {
		foreach ( (array) wp_presence_active_posts() as $post ) {
			$post = (array) $post;
			if ( empty( $post['post_id'] ) ) {
				continue;
			}
			$posts[] = array(
				'post_id'  => (int) $post['post_id'],
				'title'    => isset( $post['title'] ) ? (string) $post['title'] : '',
				'edit_url' => isset( $post['edit_url'] ) ? (string) $post['edit_url'] : '',
				'editors'  => array_map( 'wp_presence_ui_normalize_row', isset( $post['editors'] ) ? (array) $post['editors'] : array() ),
			);
		}
	}
	$cache[ $viewer ] = $posts;
	return $posts;
}

/**
 * The current user's own status and preference.
 *
 * @return array{status:string,preference:string}
 */
function wp_presence_ui_self() {
	$user_id    = get_current_user_id();
	$preference = function_exists( 'wp_get_user_presence_preference' )
		? (string) wp_get_user_presence_preference( $user_id )
		: (string) get_user_meta( $user_id, 'wp_presence_preference', true );
	if ( ! in_array( $preference, array( '', 'dnd', 'invisible' ), true ) ) {
		$preference = '';
	}
	$status = 'online';
	if ( function_exists( 'wp_get_user_presence_status' ) ) {
		$status = wp_presence_ui_sanitize_status( wp_get_user_presence_status( $user_id ) );
	}
	// The page being rendered is a live tab of the user, whatever the store says yet.
	if ( 'offline' === $status ) {
		$status = 'invisible' === $preference ? 'invisible' : ( 'dnd' === $preference ? 'dnd' : 'online' );
	}
	return array(
		'status'     => $status,
		'preference' => $preference,
	);
}

/**
 * URL of the Users list filtered to online users, with its nonce.
 *
 * The filter only applies when the nonce checks out, so every link to the
 * view must be built here.
 *
 * @return string Empty when the current user cannot list users.
 */
function wp_presence_ui_online_users_url() {
	if ( ! current_user_can( 'list_users' ) ) {
		return '';
	}
	return add_query_arg(
		array(
			'presence'       => 'online',
			'presence_nonce' => wp_create_nonce( 'wp-presence-online-users' ),
		),
		admin_url( 'users.php' )
	);
}

/**
 * A coloured status dot with its text label.
 *
 * Colour is never the only cue: the label is visible text, or, with
 * `$visible_label` false, the dot is an image with an accessible name and a title.
 *
 * @param string $status        Status.
 * @param string $label         Label; defaults to the status label.
 * @param bool   $visible_label Whether to print the label as text next to the dot.
 * @return string HTML.
 */
function wp_presence_ui_status_html( $status, $label = '', $visible_label = true ) {
	$status = wp_presence_ui_sanitize_status( $status );
	$label  = '' !== $label ? $label : wp_presence_ui_status_label( $status );
	if ( $visible_label ) {
		return sprintf(
			'<span class="wp-presence-status wp-presence-status--%1$s" data-status="%1$s"><span class="wp-presence-dot" aria-hidden="true"></span><span class="wp-presence-status__label">%2$s</span></span>',
			esc_attr( $status ),
			esc_html( $label )
		);
	}
	return sprintf(
		'<span class="wp-presence-dot wp-presence-dot--%1$s" data-status="%1$s" role="img" aria-label="%2$s" title="%2$s"></span>',
		esc_attr( $status ),
		esc_attr( $label )
	);
}

/**
 * An avatar image with a status dot on its corner.
 *
 * @param array $row  Normalised row.
 * @param int   $size Pixel size.
 * @return string HTML.
 */
function wp_presence_ui_avatar_html( $row, $size = 32 ) {
	/* translators: 1: user display name, 2: status label, for example "Ada: Online". */
	$name = sprintf( __( '%1$s: %2$s', 'presence' ), $row['display_name'], $row['status_label'] );
	$img  = '';
	if ( '' !== $row['avatar_url'] ) {
		$img = sprintf(
			'<img class="wp-presence-avatar__img" src="%1$s" alt="" width="%2$d" height="%2$d" loading="lazy" decoding="async" />',
			esc_url( $row['avatar_url'] ),
			(int) $size
		);
	} else {
		$img = '<span class="wp-presence-avatar__img wp-presence-avatar__img--blank" aria-hidden="true"></span>';
	}
	// data-display-name: the avatar fallback draws initials from it (the title also holds the status).
	return sprintf(
		'<span class="wp-presence-avatar wp-presence-avatar--%1$d" data-user-id="%2$d" data-display-name="%3$s" title="%4$s">%5$s%6$s</span>',
		(int) $size,
		(int) $row['user_id'],
		esc_attr( $row['display_name'] ),
		esc_attr( $name ),
		$img,
		wp_presence_ui_status_html( $row['status'], $name, false )
	);
}

/**
 * A stack of avatars, at most `$max`, then "+N".
 *
 * @since 1.4.0 The `$total` parameter.
 *
 * @param array[]  $rows  Normalised rows.
 * @param int      $max   Avatars to show.
 * @param int      $size  Pixel size.
 * @param int|null $total How many users the stack stands for, when `$rows` holds only the
 *                        first of them (a bounded read); null for `count( $rows )`.
 * @return string HTML.
 */
function wp_presence_ui_avatar_stack_html( $rows, $max = 10, $size = 24, $total = null ) {
	$html  = '<span class="wp-presence-stack">';
	$shown = array_slice( $rows, 0, $max );
	foreach ( $shown as $row ) {
		$html .= wp_presence_ui_avatar_html( $row, $size );
	}
	$more = max( count( $rows ), (int) $total ) - count( $shown );
	if ( $more > 0 ) {
		$html .= sprintf(
			'<span class="wp-presence-stack__more">%s</span>',
			/* translators: %s: number of users not shown. */
			esc_html( sprintf( __( '+%s', 'presence' ), number_format_i18n( $more ) ) )
		);
	}
	return $html . '</span>';
}

/**
 * Where a user is, as text: the post title when the viewer may see it, else the screen label.
 *
 * @param array $row Normalised row.
 * @return string Plain text (not escaped).
 */
function wp_presence_ui_where( $row ) {
	if ( '' !== $row['title'] ) {
		return $row['title'];
	}
	return $row['screen_label'];
}

/**
 * One full user row: avatar, name, where they are and their status.
 *
 * @param array $row Normalised row.
 * @return string HTML `<li>`.
 */
function wp_presence_ui_user_row_html( $row ) {
	$where = wp_presence_ui_where( $row );
	if ( '' !== $where && '' !== $row['url'] ) {
		$where = sprintf( '<a class="wp-presence-row__where" href="%1$s">%2$s</a>', esc_url( $row['url'] ), esc_html( $where ) );
	} elseif ( '' !== $where ) {
		$where = sprintf( '<span class="wp-presence-row__where">%s</span>', esc_html( $where ) );
	}
	return sprintf(
		'<li class="wp-presence-row" data-user-id="%1$d">%2$s<span class="wp-presence-row__text"><span class="wp-presence-row__name">%3$s</span>%4$s</span>%5$s</li>',
		(int) $row['user_id'],
		wp_presence_ui_avatar_html( $row, 32 ),
		esc_html( $row['display_name'] ),
		$where,
		wp_presence_ui_status_html( $row['status'], $row['status_label'] )
	);
}

/**
 * Rows of everybody except the current user.
 *
 * @param array[] $rows Normalised rows.
 * @return array[]
 */
function wp_presence_ui_others( $rows ) {
	$me = get_current_user_id();
	return array_values(
		array_filter(
			$rows,
			static function ( $row ) use ( $me ) {
				return (int) $row['user_id'] !== $me;
			}
		)
	);
}

/**
 * What the browser needs to draw the widgets from Heartbeat replies, per user row.
 *
 * @param array[] $rows Normalised rows.
 * @return array[]
 */
function wp_presence_ui_rows_for_js( $rows ) {
	return array_values( $rows );
}
