<?php
/**
 * Heartbeat: the `wp-presence` protocol (docs/CONTRACT.md §3), presence-api's old protocol,
 * and the post-lock bridge.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Writes a Heartbeat entry (with the writer's card) unless the stored one already holds the
 * same user and data and is younger than half its TTL (then only a keepalive would be due).
 *
 * @since 1.0.0
 *
 * @param string $room      Room.
 * @param string $client_id Client id.
 * @param int    $user_id   User id.
 * @param array  $data      Data (without the card).
 * @param int    $ttl       TTL in seconds.
 * @param bool       $may_skip  Whether the client's ack allows skipping (new protocol).
 * @param array|bool $card      The writer's card when the caller has built it (true: build it).
 * @return array|WP_Error See wp_presence_write().
 */
function wp_presence_write_if_changed( $room, $client_id, $user_id, array $data, $ttl, $may_skip = true, $card = true ) {
	return wp_presence_write(
		$room,
		$client_id,
		$user_id,
		$data,
		$ttl,
		array(
			'card'     => $card,
			'may_skip' => $may_skip,
		)
	);
}

/**
 * The post a ping may put its writer in the room of: a post the user can edit, of a type with
 * presence support, pinged from that post type's edit screen (a front-end ping names the post
 * it shows, and makes no editor entry).
 *
 * @since 1.2.0
 *
 * @param int    $post_id   Post id from the ping.
 * @param string $screen    Screen the ping reports.
 * @param string $screen_id Screen id Heartbeat reports.
 * @param int    $user_id   Writer.
 * @return string|false The post room, or false.
 */
function wp_presence_ping_post_room( $post_id, $screen, $screen_id, $user_id ) {
	$room = $post_id ? wp_presence_post_room( $post_id ) : false;
	if ( ! $room || ! wp_can_access_presence_room( $room, $user_id ) ) {
		return false;
	}
	$type = get_post_type( $post_id );
	return $type === $screen_id && $type === $screen ? $room : false;
}

/**
 * Validates and normalises the `wp-presence` payload of a Heartbeat.
 *
 * @since 1.0.0
 *
 * @param mixed  $in        Payload.
 * @param string $screen_id Screen id Heartbeat reports.
 * @return array|null tab, screen, post_id, activity, ack, seen, delta; null when invalid.
 */
function wp_presence_parse_ping( $in, $screen_id ) {
	if ( ! is_array( $in ) ) {
		return null;
	}
	$tab = isset( $in['tab'] ) && is_scalar( $in['tab'] ) ? (string) $in['tab'] : '';
	if ( ! preg_match( WP_PRESENCE_TAB_PATTERN, $tab ) ) {
		return null;
	}
	$activity = isset( $in['activity'] ) && is_scalar( $in['activity'] ) ? (string) $in['activity'] : 'online';
	$seen     = array();
	if ( isset( $in['seen'] ) && is_array( $in['seen'] ) ) {
		foreach ( $in['seen'] as $room => $version ) {
			if ( is_scalar( $version ) ) {
				$seen[ (string) $room ] = (string) $version;
			}
		}
	}
	return array(
		'tab'      => $tab,
		'screen'   => wp_presence_client_screen( isset( $in['screen'] ) ? $in['screen'] : null, $screen_id ),
		'post_id'  => isset( $in['post_id'] ) ? wp_presence_parse_id( $in['post_id'] ) : 0,
		'activity' => in_array( $activity, array( 'online', 'idle', 'away' ), true ) ? $activity : 'online',
		'ack'      => isset( $in['ack'] ) && is_scalar( $in['ack'] ) ? (string) $in['ack'] : '',
		'seen'     => $seen,
		'delta'    => ! empty( $in['delta'] ),
	);
}

/**
 * How many other users a Heartbeat reply carries per room: what the page shows at most (the
 * "Who's Online" widget's list or avatar stack, the admin bar's stack of 10). Beyond it a page
 * shows the total and pages through REST (`GET /wp-presence/v1/presence`).
 *
 * @since 1.3.0
 *
 * @return int At least 1.
 */
function wp_presence_heartbeat_rows() {
	$rows = function_exists( 'wp_presence_ui_widget_stack_after' ) ? wp_presence_ui_widget_stack_after() : 20;

	/**
	 * Filters how many other users a Heartbeat reply (both protocols) carries per room.
	 *
	 * @since 1.3.0
	 *
	 * @param int $rows Default: the widget's `wp_presence_widget_stack_after` (20).
	 */
	return max( 1, (int) apply_filters( 'wp_presence_heartbeat_rows', $rows ) );
}

/**
 * A room for the reply, or null when the client's seen version is current: the changes since
 * the client's version when it asked for them (`delta`) and the store's log reaches back,
 * otherwise the first rows and the total.
 *
 * @since 1.0.0
 *
 * @param string           $room  Room.
 * @param array            $seen  Versions the client has.
 * @param WP_Presence_View $view  The viewer's view.
 * @param bool             $delta Whether the client applies changes.
 * @return array|null version, users, total, limit; with changes: also `changes` (true) and
 *                    `left` (user ids). With `delta` the rows are compact (screens, avatars:
 *                    wp_presence_compact_room_rows()).
 */
function wp_presence_room_reply( $room, array $seen, WP_Presence_View $view, $delta = false ) {
	$version = $view->room_version( $room );
	$has     = isset( $seen[ $room ] ) ? $seen[ $room ] : null;
	if ( null !== $has && (string) $version === $has ) {
		return null; // Unchanged: nothing to send, nothing read.
	}
	$limit = wp_presence_heartbeat_rows();
	if ( $delta && null !== $has && ctype_digit( $has ) ) {
		$changes = $view->room_changes( $room, (int) $has, $limit );
		if ( null !== $changes ) {
			return wp_presence_compact_room_rows(
				$changes + array(
					'changes' => true,
					'limit'   => $limit,
				)
			);
		}
	}
	$reply = array( 'version' => $version ) + $view->bounded_rows( $room, $limit ) + array( 'limit' => $limit );
	// A client that applies changes (assets/presence.js) also rebuilds compact rows.
	return $delta ? wp_presence_compact_room_rows( $reply ) : $reply;
}

/**
 * Heartbeat `wp-presence`: writes the tab's entries when they changed, replies with the rooms
 * the page shows (skipping rooms the client already has) and the user's own status.
 *
 * @since 1.0.0
 *
 * @param array  $response  Heartbeat response.
 * @param array  $data      Heartbeat data.
 * @param string $screen_id Screen id.
 * @return array
 */
function wp_presence_heartbeat_received( $response, $data, $screen_id ) {
	$screen_id = is_scalar( $screen_id ) ? (string) $screen_id : '';
	if ( ! isset( $data['wp-presence'] ) || ! wp_presence_heartbeat_recording( $screen_id ) ) {
		return $response;
	}
	$user_id = get_current_user_id();
	$ping      = wp_presence_parse_ping( $data['wp-presence'], $screen_id );
	if ( $user_id <= 0 || ! $ping ) {
		return $response;
	}

	$admin_room = wp_presence_admin_room();
	$reply      = array(
		'ack'   => '',
		'rooms' => array(),
	);

	try {
		$view = WP_Presence_View::current(); // Reads lazily: after this tick's writes.
		// wp_can_access_presence_room() for the viewer, asked once: the replies ask the view again.
		if ( $view->can_read_room( $admin_room ) ) {
			// This tab and the other tabs it reports as their leader (includes/heartbeat-tabs.php).
			$written   = wp_presence_heartbeat_write_tabs( $ping, $data['wp-presence'], $screen_id, $user_id );
			$post_room = $written['post_room'];
			if ( '' !== $written['error'] ) {
				$reply['error'] = $written['error'];
			} else {
				$reply['ack'] = $written['ack'];
			}
			if ( $written['tabs'] ) {
				$reply['tabs'] = $written['tabs'];
			}

			foreach ( array_filter( array( $admin_room, $post_room ) ) as $room ) {
				$room_reply = wp_presence_room_reply( $room, $ping['seen'], $view, $ping['delta'] );
				if ( null !== $room_reply ) {
					$reply['rooms'][ $room ] = $room_reply;
				}
			}

			if ( 'dashboard' === $screen_id || $written['dashboard'] ) {
				try {
					$post_rooms = WP_Presence_View::post_rooms(); // Once per tick: for the version and the list.
				} catch ( Throwable $e ) {
					$post_rooms = array();
				}
				$version = $view->active_posts_version( $post_rooms );
				if ( ! isset( $ping['seen']['active_posts'] ) || $ping['seen']['active_posts'] !== $version ) {
					$reply['active_posts'] = array(
						'version' => $version,
						'posts'   => $view->active_posts( $post_rooms ),
					);
				}
			}
		}
		$reply['self'] = array(
			'status'     => $view->user_status( $user_id ),
			'preference' => wp_get_user_presence_preference( $user_id ),
		);
	} catch ( Throwable $e ) {
		$reply['error'] = 'presence_unavailable';
	}

	$response['wp-presence'] = $reply;
	return $response;
}

/**
 * presence-api's old protocol: `presence-ping`, `presence-editor-ping` and
 * `presence-active-posts-ping`, answered with `presence-online` and `presence-active-posts`.
 *
 * Old clients have no tab id, so they keep the per-user client ids `user-{uid}` and
 * `editor-{uid}`; the fixes that need no client change apply (150 s TTL, no write when
 * unchanged, users combined, the same visibility rules as the new protocol).
 *
 * @since 1.0.0
 *
 * @param array  $response  Heartbeat response.
 * @param array  $data      Heartbeat data.
 * @param string $screen_id Screen id.
 * @return array
 */
function wp_presence_heartbeat_legacy( $response, $data, $screen_id ) {
	$has_ping    = isset( $data['presence-ping'] ) && is_array( $data['presence-ping'] );
	$has_editor  = isset( $data['presence-editor-ping'] ) && is_array( $data['presence-editor-ping'] );
	$has_dashbrd = isset( $data['presence-active-posts-ping'] );
	$user_id     = get_current_user_id();
	$screen_id   = is_scalar( $screen_id ) ? (string) $screen_id : '';
	if ( ( ! $has_ping && ! $has_editor && ! $has_dashbrd ) || $user_id <= 0 || ! wp_presence_heartbeat_recording( $screen_id ) ) {
		return $response;
	}
	$admin_room = wp_presence_admin_room();
	if ( ! wp_can_access_presence_room( $admin_room, $user_id ) ) {
		return $response;
	}

	try {
		$ttl  = wp_presence_heartbeat_ttl();
		$view = WP_Presence_View::current();

		if ( $has_ping ) {
			$in    = $data['presence-ping'];
			$state = array( 'screen' => wp_presence_client_screen( isset( $in['screen'] ) ? $in['screen'] : null, $screen_id ) );
			$pid   = isset( $in['post_id'] ) ? wp_presence_parse_id( $in['post_id'] ) : 0;
			if ( $pid && current_user_can( 'edit_post', $pid ) ) {
				$state['post_id']     = $pid;
				$state['post_status'] = (string) get_post_status( $pid );
			}
			$written = wp_presence_write_if_changed( $admin_room, 'user-' . $user_id, $user_id, $state, $ttl );
			if ( is_wp_error( $written ) ) {
				$response['presence-error'] = $written->get_error_code();
			}

			$online  = array();
			$bounded = $view->bounded_rows( $admin_room, wp_presence_heartbeat_rows() );
			foreach ( $bounded['users'] as $row ) {
				$item = array(
					'user_id'      => $row['user_id'],
					'display_name' => $row['display_name'],
					'avatar_url'   => $row['avatar_url'],
					'screen'       => $row['screen'],
					'screen_label' => $row['screen_label'],
					'date_gmt'     => gmdate( 'Y-m-d H:i:s', $row['updated'] ),
				);
				if ( $row['post_id'] ) {
					$item['post_id'] = $row['post_id'];
					$item['title']   = $row['title'];
				}
				$online[] = $item;
			}
			$response['presence-online']       = $online;
			$response['presence-online-total'] = $bounded['total']; // Old clients ignore it.
		}

		if ( $has_editor ) {
			$pid  = isset( $data['presence-editor-ping']['post_id'] ) ? wp_presence_parse_id( $data['presence-editor-ping']['post_id'] ) : 0;
			$room = wp_presence_ping_post_room( $pid, $screen_id, $screen_id, $user_id );
			if ( $room ) {
				$state = array(
					'screen'  => 'post',
					'post_id' => $pid,
				);
				/**
				 * Filters the state an editor entry stores (presence-api contract): the old
				 * protocol's `presence-editor-ping`, and each tab's editor entry of the current
				 * protocol (includes/heartbeat-tabs.php).
				 *
				 * @since 1.3.0
				 *
				 * @param array $state   Data: screen, post_id.
				 * @param int   $post_id Post.
				 * @param int   $user_id User.
				 */
				$filtered = apply_filters( 'wp_presence_editor_state', $state, $pid, $user_id );
				$state    = is_array( $filtered ) ? $filtered : $state;
				$written  = wp_presence_write_if_changed( $room, 'editor-' . $user_id, $user_id, $state, $ttl );
				if ( is_wp_error( $written ) ) {
					$response['presence-error'] = $written->get_error_code();
				}
			}
		}

		if ( $has_dashbrd ) {
			$posts = array();
			foreach ( $view->active_posts() as $post ) {
				$editors = array();
				foreach ( $post['editors'] as $editor ) {
					$editor['status'] = 'online' === $editor['status'] ? 'active' : 'idle';
					$editors[]        = $editor;
				}
				$post['editors']    = $editors;
				$post['post_title'] = $post['title']; // presence-api's name for it.
				$posts[]            = $post;
			}
			$response['presence-active-posts'] = $posts;
		}
	} catch ( Throwable $e ) {
		return $response;
	}
	return $response;
}

/**
 * Post-lock bridge: after core refreshed `_edit_lock` through Heartbeat (its handler runs at
 * priority 10), the lock holder appears in the post's room as `lock-{uid}`. Core's lock
 * handling is left untouched.
 *
 * @since 1.0.0
 *
 * @param array  $response  Heartbeat response.
 * @param array  $data      Heartbeat data.
 * @param string $screen_id Screen id.
 * @return array
 */
function wp_presence_post_lock_bridge( $response, $data, $screen_id ) {
	if ( empty( $data['wp-refresh-post-lock']['post_id'] ) || empty( $response['wp-refresh-post-lock']['new_lock'] ) || ! wp_presence_heartbeat_recording( $screen_id, 'post-locks' ) ) {
		return $response;
	}
	$post_id = absint( $data['wp-refresh-post-lock']['post_id'] );
	$user_id = get_current_user_id();
	$room    = $post_id ? wp_presence_post_room( $post_id ) : false;
	if ( ! $room || $user_id <= 0 || ! current_user_can( 'edit_post', $post_id ) ) {
		return $response;
	}
	/** This filter is documented in wp-admin/includes/post.php */
	$window = (int) apply_filters( 'wp_check_post_lock_window', 150 );
	// A refusal (over the user's limit) leaves core's lock as it is and writes nothing.
	wp_presence_write_if_changed(
		$room,
		'lock-' . $user_id,
		$user_id,
		array(
			'screen'  => 'post',
			'post_id' => $post_id,
			'action'  => 'editing', // presence-api's lock entry data.
		),
		max( 1, $window )
	);
	return $response;
}
