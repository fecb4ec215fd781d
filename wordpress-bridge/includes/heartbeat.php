<?php
/**
 * Heartbeat: the `wp-presence` protocol (docs/CONTRACT.md §3), presence-api's old protocol,
 * and the post-lock bridge.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Writes an entry unless the stored one already holds the same user and data and is younger
 * than half its TTL (then only a keepalive would be due later).
 *
 * @since 1.0.0
 *
 * @param string $room      Room.
 * @param string $client_id Client id.
 * @param int    $user_id   User id.
 * @param array  $data      Data.
 * @param int    $ttl       TTL in seconds.
 * @param bool   $may_skip  Whether the client's ack allows skipping (new protocol).
 * @return array|null The entry as it was before (null if none).
 */
function wp_presence_write_if_changed( $room, $client_id, $user_id, array $data, $ttl, $may_skip = true ) {
	$store = wp_presence_store();
	$old   = $store->get( $room, $client_id );
	if ( $may_skip && $old && (int) $old['user_id'] === (int) $user_id && $old['data'] === $data
		&& $store->now() - (int) $old['updated'] < (int) floor( $ttl / 2 ) ) {
		return $old;
	}
	$store->upsert( $room, $client_id, (int) $user_id, $data, (int) $ttl );
	return $old;
}

/**
 * Validates and normalises the `wp-presence` payload of a Heartbeat.
 *
 * @since 1.0.0
 *
 * @param mixed  $in        Payload.
 * @param string $screen_id Screen id Heartbeat reports.
 * @return array|null tab, screen, post_id, activity, ack, seen; null when invalid.
 */
function wp_presence_parse_ping( $in, $screen_id ) {
	if ( ! is_array( $in ) ) {
		return null;
	}
	$tab = isset( $in['tab'] ) && is_scalar( $in['tab'] ) ? (string) $in['tab'] : '';
	if ( ! preg_match( WP_PRESENCE_TAB_PATTERN, $tab ) ) {
		return null;
	}
	$screen   = isset( $in['screen'] ) && is_scalar( $in['screen'] ) ? (string) $in['screen'] : (string) $screen_id;
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
		'screen'   => substr( sanitize_key( $screen ), 0, 64 ),
		'post_id'  => isset( $in['post_id'] ) && is_scalar( $in['post_id'] ) ? absint( $in['post_id'] ) : 0,
		'activity' => in_array( $activity, array( 'online', 'idle', 'away' ), true ) ? $activity : 'online',
		'ack'      => isset( $in['ack'] ) && is_scalar( $in['ack'] ) ? (string) $in['ack'] : '',
		'seen'     => $seen,
	);
}

/**
 * Rows of a room for the reply, or null when the client's seen version is current.
 *
 * @since 1.0.0
 *
 * @param string $room    Room.
 * @param array  $seen    Versions the client has.
 * @param int    $user_id Viewer.
 * @return array|null version and users.
 */
function wp_presence_room_reply( $room, array $seen, $user_id ) {
	$store   = wp_presence_store();
	$version = $store->room_version( $room );
	if ( isset( $seen[ $room ] ) && (string) $version === $seen[ $room ] ) {
		return null; // Unchanged: nothing to send.
	}
	return array(
		'version' => $version,
		'users'   => wp_presence_combine_entries( $store->room( $room ), $user_id ),
	);
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
	if ( ! isset( $data['wp-presence'] ) ) {
		return $response;
	}
	$user_id = get_current_user_id();
	$ping    = wp_presence_parse_ping( $data['wp-presence'], $screen_id );
	if ( $user_id <= 0 || ! $ping ) {
		return $response;
	}

	$admin_room = wp_presence_admin_room();
	$reply      = array(
		'ack'   => '',
		'rooms' => array(),
	);

	try {
		if ( wp_can_access_presence_room( $admin_room, $user_id ) ) {
			$store = wp_presence_store();
			// This tab and the other tabs it reports as their leader (includes/heartbeat-tabs.php).
			$written      = wp_presence_heartbeat_write_tabs( $ping, $data['wp-presence'], $user_id );
			$post_room    = $written['post_room'];
			$reply['ack'] = $written['ack'];
			if ( $written['tabs'] ) {
				$reply['tabs'] = $written['tabs'];
			}

			foreach ( array_filter( array( $admin_room, $post_room ) ) as $room ) {
				$room_reply = wp_presence_room_reply( $room, $ping['seen'], $user_id );
				if ( null !== $room_reply ) {
					$reply['rooms'][ $room ] = $room_reply;
				}
			}

			if ( 'dashboard' === $screen_id || $written['dashboard'] ) {
				try {
					$post_rooms = $store->rooms( 'postType/' ); // Once per tick: for the version and the list.
				} catch ( Throwable $e ) {
					$post_rooms = null; // Both fall back to their own error handling.
				}
				$version    = wp_presence_active_posts_version( $post_rooms );
				if ( ! isset( $ping['seen']['active_posts'] ) || $ping['seen']['active_posts'] !== $version ) {
					$reply['active_posts'] = array(
						'version' => $version,
						'posts'   => wp_presence_active_posts( $user_id, $post_rooms ),
					);
				}
			}
		}
		$reply['self'] = array(
			'status'     => wp_get_user_presence_status( $user_id ),
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
 * unchanged, users combined).
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
	if ( ( ! $has_ping && ! $has_editor && ! $has_dashbrd ) || $user_id <= 0 ) {
		return $response;
	}
	$admin_room = wp_presence_admin_room();
	if ( ! wp_can_access_presence_room( $admin_room, $user_id ) ) {
		return $response;
	}

	try {
		$ttl  = wp_presence_heartbeat_ttl();
		$card = wp_presence_user_card( $user_id );

		if ( $has_ping ) {
			$in     = $data['presence-ping'];
			$screen = isset( $in['screen'] ) && is_scalar( $in['screen'] ) ? (string) $in['screen'] : (string) $screen_id;
			$state  = array( 'screen' => substr( sanitize_key( $screen ), 0, 64 ) );
			$pid    = isset( $in['post_id'] ) && is_scalar( $in['post_id'] ) ? absint( $in['post_id'] ) : 0;
			if ( $pid && current_user_can( 'edit_post', $pid ) ) {
				$state['post_id']     = $pid;
				$state['post_status'] = (string) get_post_status( $pid );
			}
			$state['_wp'] = $card;
			wp_presence_write_if_changed( $admin_room, 'user-' . $user_id, $user_id, $state, $ttl );

			$online = array();
			foreach ( wp_presence_combine_entries( wp_presence_store()->room( $admin_room ), $user_id ) as $row ) {
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
			$response['presence-online'] = $online;
		}

		if ( $has_editor ) {
			$pid  = isset( $data['presence-editor-ping']['post_id'] ) && is_scalar( $data['presence-editor-ping']['post_id'] ) ? absint( $data['presence-editor-ping']['post_id'] ) : 0;
			$room = $pid ? wp_presence_post_room( $pid ) : false;
			if ( $room && wp_can_access_presence_room( $room, $user_id ) ) {
				$state = array(
					'screen'  => 'post',
					'post_id' => $pid,
					'_wp'     => $card,
				);
				wp_presence_write_if_changed( $room, 'editor-' . $user_id, $user_id, $state, $ttl );
			}
		}

		if ( $has_dashbrd ) {
			$posts = array();
			foreach ( wp_presence_active_posts( $user_id ) as $post ) {
				$editors = array();
				foreach ( $post['editors'] as $editor ) {
					$editor['status'] = 'online' === $editor['status'] ? 'active' : 'idle';
					$editors[]        = $editor;
				}
				$post['editors'] = $editors;
				$posts[]         = $post;
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
	if ( empty( $data['wp-refresh-post-lock']['post_id'] ) || empty( $response['wp-refresh-post-lock']['new_lock'] ) ) {
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
	try {
		wp_presence_write_if_changed(
			$room,
			'lock-' . $user_id,
			$user_id,
			array(
				'screen'  => 'post',
				'post_id' => $post_id,
				'_wp'     => wp_presence_user_card( $user_id ),
			),
			max( 1, $window )
		);
	} catch ( Throwable $e ) {
		return $response;
	}
	return $response;
}
