<?php
/**
 * The shapes a view renders its answers in: REST items, rows per user, rooms with what the viewer
 * sees in them, and active posts.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * WP_Presence_View's outputs, built only from entries as see() returns them.
 *
 * @since 1.2.0
 */
trait WP_Presence_View_Shapes {

	/**
	 * REST items of a room: room, client_id, user_id, display_name, avatar_url, data (an object),
	 * date_gmt; newest first.
	 *
	 * @param string $room Room.
	 * @return array[]
	 */
	public function items( $room ) {
		$items = array();
		foreach ( $this->entries( $room ) as $seen ) {
			$items[] = $this->item( $seen );
		}
		return $items;
	}

	/**
	 * One REST item of a seen entry.
	 *
	 * @param array $seen Seen entry.
	 * @return array
	 */
	public function item( array $seen ) {
		$card = $this->card( $seen['user_id'] );
		return array(
			'room'         => $seen['room'],
			'client_id'    => $seen['client_id'],
			'user_id'      => (int) $seen['user_id'],
			'display_name' => $card ? $card['n'] : '',
			'avatar_url'   => $card ? wp_presence_card_avatar( $card ) : '',
			'data'         => (object) $seen['data'],
			'date_gmt'     => gmdate( 'Y-m-d H:i:s', (int) $seen['updated'] ),
		);
	}

	/**
	 * One row per user in a room (tabs, editor and lock entries combined), most recent first.
	 *
	 * @param string $room Room.
	 * @return array[] See rows_from().
	 */
	public function rows( $room ) {
		return $this->rows_from( $this->entries( $room ) );
	}

	/**
	 * Combines seen entries into one row per user: the status is the most present of the
	 * user's entries (or their preference), the location that of their most present entry
	 * (newest among equals), `updated` their newest write. It decides edit_post for the post each
	 * row shows, so it also takes entries from see_for_rows(), whose post ids are unchecked.
	 *
	 * @param array[] $entries Seen entries, newest first.
	 * @return array[] Rows: user_id, display_name, avatar_url, status, status_label, screen,
	 *                 screen_label, post_id, title, url, updated. Strings are plain text.
	 */
	public function rows_from( array $entries ) {
		$by_user = array();
		foreach ( $entries as $entry ) {
			$uid = (int) $entry['user_id'];
			if ( $uid > 0 ) {
				$by_user[ $uid ][] = $entry;
			}
		}
		$rows     = array();
		$post_ids = array();
		$labels   = array(); // Per distinct status: the label functions run a few times, not per row.
		$screens  = array(); // Per distinct screen: label and URL.
		foreach ( $by_user as $uid => $list ) {
			$card = $this->card( $uid );
			if ( ! $card ) {
				continue; // Deleted user.
			}
			$best    = '';
			$rank    = 0; // wp_presence_activity_rank( $best ), kept rather than asked per entry.
			$primary = $list[0];
			foreach ( $list as $entry ) {
				$activity = wp_presence_entry_activity( $entry ); // Always a ranked activity.
				$ranked   = wp_presence_activity_rank( $activity );
				if ( $ranked > $rank ) {
					$best    = $activity;
					$rank    = $ranked;
					$primary = $entry;
				}
			}
			if ( $uid === $this->viewer && $this->viewer_is_hidden() ) {
				$status = 'invisible';
			} elseif ( 'dnd' === $card['p'] ) {
				$status = 'dnd';
			} else {
				$status = $best;
			}
			$screen  = wp_presence_clean_screen( isset( $primary['data']['screen'] ) ? $primary['data']['screen'] : null );
			$post_id = isset( $primary['data']['post_id'] ) ? wp_presence_parse_id( $primary['data']['post_id'] ) : 0;
			if ( $post_id ) {
				$post_ids[] = $post_id;
			}
			if ( ! isset( $labels[ $status ] ) ) {
				$labels[ $status ] = wp_presence_status_label( $status );
			}
			if ( ! isset( $screens[ $screen ] ) ) {
				$screens[ $screen ] = array( wp_presence_screen_label( $screen ), wp_presence_screen_url( $screen ) );
			}
			$rows[] = array(
				'user_id'      => $uid,
				'display_name' => $card['n'],
				'avatar_url'   => wp_presence_card_avatar( $card ),
				'status'       => $status,
				'status_label' => $labels[ $status ],
				'screen'       => $screen,
				'screen_label' => $screens[ $screen ][0],
				'post_id'      => $post_id,
				'title'        => '',
				'url'          => $screens[ $screen ][1],
				'updated'      => (int) $list[0]['updated'],
			);
		}

		// Post ids and titles only for viewers who can edit the post (own entries included).
		$this->prime_posts( $post_ids );
		$links = array(); // Per distinct post.
		foreach ( $rows as $i => $row ) {
			if ( ! $row['post_id'] ) {
				continue;
			}
			if ( ! $this->can_edit_post( $row['post_id'] ) ) {
				$rows[ $i ]['post_id'] = 0;
				continue;
			}
			if ( ! isset( $links[ $row['post_id'] ] ) ) {
				$links[ $row['post_id'] ] = array( wp_presence_post_title( $row['post_id'] ), wp_presence_viewer_edit_link( $row['post_id'], $this->viewer ) );
			}
			$rows[ $i ]['title'] = $links[ $row['post_id'] ][0];
			$rows[ $i ]['url']   = $links[ $row['post_id'] ][1];
		}

		return self::newest_first( $rows );
	}

	/**
	 * A list sorted by `updated`, newest first, equal ones in their order (as a stable usort()
	 * would): array_multisort() compares in C, where a closure called per comparison cost about
	 * 40 k instructions for 13 rows.
	 *
	 * @param array[] $list Rows, rooms, posts or entries (a list), each with a numeric `updated`.
	 * @return array[]
	 */
	private static function newest_first( array $list ) {
		if ( count( $list ) < 2 ) {
			return array_values( $list );
		}
		$updated = array_column( $list, 'updated' );
		$order   = range( 0, count( $list ) - 1 ); // Unique: the rows themselves are never compared.
		array_multisort( $updated, SORT_DESC, SORT_NUMERIC, $order, SORT_ASC, SORT_NUMERIC, $list );
		return $list;
	}

	/**
	 * Editor rows (user_id, display_name, avatar_url, status, status_label) from seen entries.
	 *
	 * @param array[] $entries Seen entries of a post room.
	 * @return array[]
	 */
	public function editors_from( array $entries ) {
		$out = array();
		foreach ( $this->rows_from( $entries ) as $row ) {
			$out[] = array(
				'user_id'      => $row['user_id'],
				'display_name' => $row['display_name'],
				'avatar_url'   => $row['avatar_url'],
				'status'       => $row['status'],
				'status_label' => $row['status_label'],
			);
		}
		return $out;
	}

	/**
	 * Rooms that exist for the viewer, with what the viewer sees in them, most recent first.
	 *
	 * @param string $prefix Only rooms starting with this.
	 * @return array[] room, entries (seen), users (rows), updated (newest seen write). A room
	 *                 whose entries the viewer sees none of is not listed.
	 */
	public function rooms( $prefix = '' ) {
		$prefix = (string) $prefix;
		$names  = array();
		foreach ( wp_presence_store()->rooms( $prefix ) as $room ) {
			$names[ (string) $room['room'] ] = true;
		}
		foreach ( $this->own_hidden() as $entry ) {
			if ( '' === $prefix || 0 === strpos( $entry['room'], $prefix ) ) {
				$names[ $entry['room'] ] = true;
			}
		}
		$out = array();
		foreach ( $this->entries_of( array_keys( $names ) ) as $room => $entries ) {
			if ( ! $entries ) {
				continue;
			}
			$out[] = array(
				'room'    => (string) $room,
				'entries' => count( $entries ),
				'users'   => $this->rows_from( $entries ),
				'updated' => max( array_map( 'intval', wp_list_pluck( $entries, 'updated' ) ) ),
			);
		}
		return self::newest_first( $out );
	}

	/**
	 * The site's post rooms (`rooms( 'postType/' )`), for callers that need them twice per tick.
	 *
	 * @return array[] Each with at least room and version (the other keys of rooms() only where
	 *                 the store has them cheaply).
	 */
	public static function post_rooms() {
		$store = wp_presence_store();
		// Only room and version are used; Redis answers those without reading every entry.
		return method_exists( $store, 'room_versions' ) ? $store->room_versions( 'postType/' ) : $store->rooms( 'postType/' );
	}

	/**
	 * Post rooms and their post ids, from the store's list plus the viewer's own hidden entries.
	 *
	 * @param array[]|null $post_rooms The site's post rooms (post_rooms()), when the caller has them.
	 * @return array<string,int> Post id by room; canonical spellings only.
	 */
	private function post_room_ids( $post_rooms ) {
		$ids = array();
		foreach ( is_array( $post_rooms ) ? $post_rooms : self::post_rooms() as $room ) {
			$parsed = wp_presence_parse_post_room( $room['room'] );
			if ( $parsed ) {
				$ids[ $room['room'] ] = $parsed[1];
			}
		}
		foreach ( $this->own_hidden() as $entry ) {
			$parsed = wp_presence_parse_post_room( $entry['room'] );
			if ( $parsed ) {
				$ids[ $entry['room'] ] = $parsed[1];
			}
		}
		return $ids;
	}

	/**
	 * Posts being edited that the viewer can edit, with their editors counted once per user.
	 *
	 * @param array[]|null $post_rooms The site's post rooms (post_rooms()), when the caller has them.
	 * @return array[] post_id, post_type, title, edit_url, updated, editors; most recent first.
	 */
	public function active_posts( $post_rooms = null ) {
		if ( $this->viewer <= 0 && ! $this->operator ) {
			return array();
		}
		$ids = $this->post_room_ids( $post_rooms );
		$this->prime_posts( array_values( $ids ) );
		$posts = array();
		foreach ( $this->entries_of( array_keys( $ids ) ) as $room => $entries ) {
			$editors = $entries ? $this->editors_from( $entries ) : array();
			if ( ! $editors ) {
				continue;
			}
			$post_id = $ids[ $room ];
			$posts[] = array(
				'post_id'   => $post_id,
				'post_type' => (string) get_post_type( $post_id ),
				'title'     => wp_presence_post_title( $post_id ),
				'edit_url'  => wp_presence_viewer_edit_link( $post_id, $this->viewer ),
				'updated'   => max( array_map( 'intval', wp_list_pluck( $entries, 'updated' ) ) ),
				'editors'   => $editors,
			);
		}
		return self::newest_first( $posts );
	}

	/**
	 * Version of the active-posts view: changes whenever a post room of the site changes (hidden
	 * users never change one), or, for a hidden viewer, one of their own post-room entries.
	 * Computed from the room list alone, so a steady tick loads no post.
	 *
	 * @param array[]|null $post_rooms The site's post rooms (post_rooms()), when the caller has them.
	 * @return string
	 */
	public function active_posts_version( $post_rooms = null ) {
		$parts = array();
		foreach ( is_array( $post_rooms ) ? $post_rooms : self::post_rooms() as $room ) {
			if ( wp_presence_parse_post_room( $room['room'] ) ) {
				$parts[] = $room['room'] . '=' . $room['version'];
			}
		}
		sort( $parts );
		$own = array();
		foreach ( $this->own_hidden() as $entry ) {
			if ( wp_presence_parse_post_room( $entry['room'] ) ) {
				$own[] = $entry;
			}
		}
		if ( $own ) {
			$parts[] = 'own=' . self::digest( $own );
		}
		return substr( md5( implode( "\n", $parts ) ), 0, 12 );
	}
}
