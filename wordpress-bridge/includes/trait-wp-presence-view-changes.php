<?php
/**
 * The view's bounded and incremental room reads, for Heartbeat replies (docs/CONTRACT.md §3,
 * "Bounded rows and changes").
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Bounded rows (the first N users a page shows, plus the total) and changes since a version,
 * both decided by see() like every other read of the view.
 *
 * @since 1.3.0
 */
trait WP_Presence_View_Changes {

	/**
	 * The first `$limit` other users of a room in display order (most recent first), the
	 * viewer's own row when present, and how many users the viewer sees in the room.
	 *
	 * The stored entries are grouped by user before anything is decided, and see(), cards, rows,
	 * labels and links only run for the users sent: a bounded reply costs the store's read and
	 * one loop, not a row per user. With a `wp_presence_see_entry` rule or a
	 * `wp_presence_force_invisible` filter, which may hide any user, every entry goes through
	 * see() so that the total counts only what the viewer sees.
	 *
	 * @param string $room  Room.
	 * @param int    $limit Other users to send (at least 1).
	 * @return array users (rows, see rows_from()), total (users, the viewer included).
	 */
	public function bounded_rows( $room, $limit ) {
		$limit = max( 1, (int) $limit );
		if ( $this->filtered || $this->forced ) {
			return $this->bounded_rows_seen( $room, $limit );
		}
		$top = $this->bounded_rows_top( $room, $limit );
		if ( null !== $top ) {
			return $top;
		}
		// The users in the order of their newest entry (the rows' order): one pass over the stored
		// entries, newest first, with one small write per user and none per entry.
		$stored = $this->stored_entries( $room );
		$order  = array();
		foreach ( $stored as $entry ) {
			$order[ (int) $entry['user_id'] ] = true; // Keeps the first (newest) position.
		}
		unset( $order[0] );
		$picked = array();
		$others = 0;
		$absent = 0; // Users none of whose entries exists for the viewer (a deleted user).
		$queue  = array_keys( $order );
		$own    = isset( $order[ $this->viewer ] );
		while ( $queue && ( $others < $limit || $own ) ) {
			// The next users who may fill the rows (and the viewer), then their entries.
			$batch = $others < $limit ? array_splice( $queue, 0, $limit - $others + 1 ) : array();
			if ( $own && ! in_array( $this->viewer, $batch, true ) && $others + count( $batch ) >= $limit ) {
				$batch[] = $this->viewer;
				$queue   = array_values( array_diff( $queue, array( $this->viewer ) ) );
			}
			$lists = array_fill_keys( $batch, array() );
			foreach ( $stored as $entry ) {
				if ( isset( $lists[ (int) $entry['user_id'] ] ) ) {
					$lists[ (int) $entry['user_id'] ][] = $entry;
				}
			}
			$this->prepare( $stored && $lists ? array_merge( ...array_values( $lists ) ) : array(), false );
			foreach ( $lists as $uid => $list ) {
				$seen = array();
				foreach ( $list as $entry ) {
					$one = $this->card( $uid ) ? $this->see_for_rows( $entry ) : null;
					if ( null !== $one ) {
						$seen[] = $one;
					}
				}
				if ( $uid === $this->viewer ) {
					$own = false;
				}
				if ( ! $seen ) {
					++$absent;
				} elseif ( $uid === $this->viewer || $others < $limit ) {
					$others += $uid === $this->viewer ? 0 : 1;
					$picked  = array_merge( $picked, $seen );
				}
			}
		}
		return array(
			'users' => $this->rows_from( $picked ),
			'total' => count( $order ) - $absent,
		);
	}

	/**
	 * bounded_rows() from the store's `room_top()` (the first users by their newest entry, the
	 * viewer's entries and the user count): PHP only ever holds the entries of the users it may
	 * send, whatever the size of the room. Null when the store has no such read or the viewer's own
	 * hidden entries belong in the list (the full read merges them).
	 *
	 * A picked user none of whose entries the viewer sees (a deleted user) is not sent and not
	 * counted; when such users leave the rows short while the room holds more, the read is asked
	 * again for more users, and after three tries the full read decides.
	 *
	 * @param string $room  Room.
	 * @param int    $limit Other users to send (at least 1).
	 * @return array|null users, total; or null.
	 */
	private function bounded_rows_top( $room, $limit ) {
		$store = wp_presence_store();
		if ( ! method_exists( $store, 'room_top' ) || ! $this->can_read_room( $room ) || $this->own_hidden_in( $room ) ) {
			return null;
		}
		$ask = $limit + 1; // The viewer may be among the first users.
		for ( $try = 0; $try < 3; ++$try ) {
			$top     = $store->room_top( $room, $ask, max( 0, $this->viewer ) );
			$by_user = array();
			foreach ( (array) $top['entries'] as $entry ) {
				$uid = (int) $entry['user_id'];
				if ( $uid > 0 && $entry['room'] === $room ) { // Other spellings are other rooms.
					$by_user[ $uid ][] = $entry; // Keys keep each user's newest position.
				}
			}
			$this->prepare( $by_user ? array_merge( ...array_values( $by_user ) ) : array(), false );
			$picked = array();
			$others = 0;
			$absent = 0;
			foreach ( $by_user as $uid => $list ) {
				$seen = array();
				foreach ( $this->card( $uid ) ? $list : array() as $entry ) {
					$one = $this->see_for_rows( $entry );
					if ( null !== $one ) {
						$seen[] = $one;
					}
				}
				if ( ! $seen ) {
					++$absent;
				} elseif ( $uid === $this->viewer || $others < $limit ) {
					$others += $uid === $this->viewer ? 0 : 1;
					$picked  = array_merge( $picked, $seen );
				}
			}
			$users = (int) $top['users'];
			if ( $others >= $limit || count( $by_user ) >= $users ) {
				return array(
					'users' => $this->rows_from( $picked ),
					'total' => max( 0, $users - $absent ),
				);
			}
			$ask = min( 1000, $ask * 4 ); // Unseen users left the rows short: read further.
		}
		return null;
	}

	/**
	 * bounded_rows() with every entry decided by see() (a rule may hide anyone).
	 *
	 * @param string $room  Room.
	 * @param int    $limit Other users to send.
	 * @return array users, total.
	 */
	private function bounded_rows_seen( $room, $limit ) {
		$by_user = array();
		foreach ( $this->entries( $room ) as $entry ) {
			$uid = (int) $entry['user_id'];
			if ( $uid > 0 ) {
				$by_user[ $uid ][] = $entry;
			}
		}
		$total  = 0;
		$picked = array();
		$others = 0;
		foreach ( $by_user as $uid => $list ) {
			if ( ! $this->card( $uid ) ) {
				continue; // Deleted user: no row, not counted.
			}
			++$total;
			if ( $uid === $this->viewer || $others < $limit ) {
				$others += $uid === $this->viewer ? 0 : 1;
				$picked  = array_merge( $picked, $list );
			}
		}
		return array(
			'users' => $this->rows_from( $picked ),
			'total' => $total,
		);
	}

	/**
	 * A readable room's stored entries, newest first: the site's, plus the viewer's own hidden
	 * ones (nothing is decided yet; callers pass each entry through see()).
	 *
	 * @param string $room Room.
	 * @return array[]
	 */
	private function stored_entries( $room ) {
		if ( ! $this->can_read_room( $room ) ) {
			return array();
		}
		return $this->with_own_hidden( $room, (array) wp_presence_store()->room( $room ) );
	}

	/**
	 * What changed in a room since the version a client has, as the viewer sees it: one row per
	 * touched user who is still there (tabs combined), the ids of the users who left, and the
	 * total. Null when the whole (bounded) room must be sent instead:
	 * - the store keeps no change log (SQL, Redis), or the log no longer reaches back;
	 * - a `wp_presence_see_entry` filter is active, or the viewer is hidden (their version is not
	 *   the store's): the store's counts are not what the viewer sees;
	 * - more than `$limit` users changed, or a user left while the room holds more than the
	 *   client was sent (its list must be refilled from the full read).
	 *
	 * Hidden users' activity is in the hidden namespace, so it never reaches the log read here.
	 * A user whose live entries the viewer may not see is neither a changed row nor a departure;
	 * a user who became hidden left the site's namespace, and leaves like anyone else.
	 *
	 * @param string $room  Room.
	 * @param int    $since Version the client has.
	 * @param int    $limit Other users a reply carries.
	 * @return array|null version, users, left (user ids), total; or null.
	 */
	public function room_changes( $room, $since, $limit ) {
		$store = wp_presence_store();
		if ( $this->filtered || ! $this->can_read_room( $room ) || ! method_exists( $store, 'changes' ) || $this->own_hidden_in( $room ) ) {
			return null;
		}
		// More than $limit other users changed (the viewer may be one more): rows instead, and the
		// extension builds none of the entries (at 5000 users and 133 changes, 0.7 M instructions
		// fewer per tick: make bench-e2e-instr).
		$changes = $store->changes( (string) $room, max( 0, (int) $since ), $limit + 1 );
		if ( ! is_array( $changes ) ) {
			return null; // The log no longer reaches back, or more users changed than that.
		}
		$changed = array();
		$touched = array(); // Other users touched: more than the bound means rows, so stop here.
		foreach ( $changes['changed'] as $entry ) {
			if ( $entry['room'] === $room ) { // A store comparing case-insensitively may return other spellings.
				$changed[] = $entry;
				if ( (int) $entry['user_id'] !== $this->viewer ) {
					$touched[ (int) $entry['user_id'] ] = true;
				}
			}
		}
		if ( count( $touched ) > $limit ) {
			return null; // Before any card, see() or row is built for them.
		}
		$this->prepare( $changed, false ); // rows_from() loads the posts the rows show.
		$live = array(); // Users with live entries, seen or not: they did not leave.
		$seen = array();
		foreach ( $changed as $entry ) {
			$live[ (int) $entry['user_id'] ] = true;
			$one                             = $this->see_for_rows( $entry );
			if ( null !== $one ) {
				$seen[] = $one;
			}
		}
		$seen = self::newest_first( $seen );
		$left = array();
		foreach ( $changes['removed'] as $removed ) {
			$uid = (int) $removed['user_id'];
			if ( $uid > 0 && ! isset( $live[ $uid ] ) && ! isset( $left[ $uid ] ) && $uid !== $this->viewer ) {
				$left[ $uid ] = $uid;
			}
		}
		$rows   = $this->rows_from( $seen );
		$viewer = $this->viewer;
		$others = array_filter(
			$rows,
			static function ( $row ) use ( $viewer ) {
				return $row['user_id'] !== $viewer;
			}
		);
		if ( count( $others ) > $limit ) {
			return null;
		}
		$total = $this->store_user_count( $room );
		if ( $left && $total > $limit ) {
			return null;
		}
		return array(
			'version' => (int) $changes['version'],
			'users'   => $rows,
			'left'    => array_values( $left ),
			'total'   => $total,
		);
	}

	/**
	 * The number of users in a room of the site's namespace, from the store's bounded read or its
	 * room list (no room is read whole into PHP). Only used where it equals what the viewer sees (no
	 * `wp_presence_see_entry` filter; hidden users are stored apart).
	 *
	 * @param string $room Room.
	 * @return int
	 */
	private function store_user_count( $room ) {
		$store = wp_presence_store();
		if ( method_exists( $store, 'room_user_count' ) ) {
			return (int) $store->room_user_count( $room ); // A count: no entry reaches PHP.
		}
		foreach ( (array) $store->rooms( $room ) as $summary ) {
			if ( isset( $summary['room'] ) && $summary['room'] === $room ) {
				return (int) $summary['users'];
			}
		}
		return 0;
	}
}
