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
	 * Every entry still goes through see() (the total counts only users the viewer may see), but
	 * rows, labels and links are only built for the users sent.
	 *
	 * @param string $room  Room.
	 * @param int    $limit Other users to send (at least 1).
	 * @return array users (rows, see rows_from()), total (users, the viewer included).
	 */
	public function bounded_rows( $room, $limit ) {
		$limit   = max( 1, (int) $limit );
		$by_user = array(); // In the order of each user's newest entry: the rows' order.
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
		$changes = $store->changes( (string) $room, max( 0, (int) $since ) );
		if ( ! is_array( $changes ) ) {
			return null; // The log no longer reaches back.
		}
		$changed = array();
		foreach ( $changes['changed'] as $entry ) {
			if ( $entry['room'] === $room ) { // A store comparing case-insensitively may return other spellings.
				$changed[] = $entry;
			}
		}
		$this->prepare( $changed );
		$live = array(); // Users with live entries, seen or not: they did not leave.
		$seen = array();
		foreach ( $changed as $entry ) {
			$live[ (int) $entry['user_id'] ] = true;
			$one                             = $this->see( $entry );
			if ( null !== $one ) {
				$seen[] = $one;
			}
		}
		usort(
			$seen,
			static function ( $a, $b ) {
				return $b['updated'] <=> $a['updated'];
			}
		);
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
	 * The number of users in a room of the site's namespace, from the store's room list (no
	 * entries are read into PHP). Only used where it equals what the viewer sees (no
	 * `wp_presence_see_entry` filter; hidden users are stored apart).
	 *
	 * @param string $room Room.
	 * @return int
	 */
	private function store_user_count( $room ) {
		foreach ( (array) wp_presence_store()->rooms( $room ) as $summary ) {
			if ( isset( $summary['room'] ) && $summary['room'] === $room ) {
				return (int) $summary['users'];
			}
		}
		return 0;
	}
}
