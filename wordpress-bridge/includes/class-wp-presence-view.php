<?php
/**
 * The view: what of the store one viewer may see (decide), in the shapes every output renders.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * One viewer's view of the current site's presence.
 *
 * Every output (Heartbeat, REST, WP-CLI, the admin UI's API functions, the network view, Site
 * Health) reads through a view and renders only what it returns; none reads the store for
 * output. The one decision is see(): for one stored entry, whether it exists for the viewer and
 * which of its fields the viewer may read, with the `wp_presence_see_entry` filter for sites
 * that want another rule. Everything else here collects entries and asks see() about each;
 * WP_Presence_View_Shapes shapes the answers (rows per user, REST items, rooms with counts,
 * active posts).
 *
 * The rules (docs/CONTRACT.md, "Who sees what"):
 * - Only rooms spelled canonically exist, and only those the viewer may access
 *   (wp_can_access_presence_room()); a command-line operator without a user reads every room.
 * - Entries of hidden users exist for nobody but the user: they are stored in the site's hidden
 *   namespace, which a view reads only for the viewer's own entries (see site-store.php).
 * - In `admin/online` and post rooms, others' entries show `screen`, `activity` and `post_id`
 *   (when the viewer can edit that post), nothing else; in other rooms, their data without the
 *   reserved keys. Tab ids in client ids show as a per-entry token.
 * - Where others are (their `admin/online` data) needs the meta capability
 *   `view_presence_location` (can_see_location_of()); without it that data is empty and only
 *   the activity (a status, not a place) is kept, outside `data`.
 * - The viewer's own entries show in full, without the reserved keys.
 *
 * @since 1.2.0
 */
final class WP_Presence_View {

	use WP_Presence_View_Shapes;
	use WP_Presence_View_Changes;

	/**
	 * Viewer's user id (0: logged out, or the operator).
	 *
	 * @var int
	 */
	private $viewer;

	/**
	 * Whether the viewer is the command-line operator (no user): every room, no capability.
	 *
	 * @var bool
	 */
	private $operator;

	/**
	 * Whether `wp_presence_see_entry` has callbacks (the filter is skipped otherwise).
	 *
	 * @var bool
	 */
	private $filtered;

	/**
	 * Whether `wp_presence_force_invisible` has callbacks (else a card's preference decides).
	 *
	 * @var bool
	 */
	private $forced;

	/**
	 * Whether the viewer is hidden (null: not known yet).
	 *
	 * @var bool|null
	 */
	private $viewer_hidden = null;

	/**
	 * The viewer's own entries in the hidden namespace (null: not read yet).
	 *
	 * @var array[]|null
	 */
	private $own_hidden = null;

	/**
	 * Room access by room.
	 *
	 * @var bool[]
	 */
	private $room_access = array();

	/**
	 * Whether the viewer may edit a post, by post id.
	 *
	 * @var bool[]
	 */
	private $can_edit = array();

	/**
	 * Cards by user id (null: a user without one).
	 *
	 * @var array
	 */
	private $cards = array();

	/**
	 * Whether another user is hidden, by user id.
	 *
	 * @var bool[]
	 */
	private $hidden = array();

	/**
	 * Room kinds by room.
	 *
	 * @var array
	 */
	private $kinds = array();

	/**
	 * Whether the viewer may see where another user is (view_presence_location), by user id.
	 *
	 * @var bool[]
	 */
	private $locations = array();

	/**
	 * view_presence_location for every other user, once wp_presence_location_cap_is_uniform()
	 * said one answer holds for all of them (null: ask per user).
	 *
	 * @var bool|null
	 */
	private $location_for_others = null;

	/**
	 * Constructor.
	 *
	 * @param int  $viewer   Viewer's user id.
	 * @param bool $operator Whether a viewer without a user is the command-line operator.
	 */
	public function __construct( $viewer, $operator = false ) {
		$this->viewer   = max( 0, (int) $viewer );
		$this->operator = $operator && 0 === $this->viewer;
		$this->filtered = (bool) has_filter( 'wp_presence_see_entry' );
		$this->forced   = (bool) has_filter( 'wp_presence_force_invisible' );
	}

	/**
	 * The current user's view.
	 *
	 * @return WP_Presence_View
	 */
	public static function current() {
		return new self( get_current_user_id() );
	}

	/**
	 * The view of a WP-CLI command: its user (`--user`), or the operator when there is none.
	 *
	 * @return WP_Presence_View
	 */
	public static function command_line() {
		$user = get_current_user_id();
		return new self( $user, 0 === $user );
	}

	/**
	 * The viewer's user id.
	 *
	 * @return int
	 */
	public function viewer() {
		return $this->viewer;
	}

	/**
	 * Whether this is the command-line operator's view.
	 *
	 * @return bool
	 */
	public function is_operator() {
		return $this->operator;
	}

	/**
	 * Whether the viewer is hidden from others (their own entries live in the hidden namespace).
	 *
	 * @return bool
	 */
	public function viewer_is_hidden() {
		if ( null === $this->viewer_hidden ) {
			$this->viewer_hidden = wp_presence_user_is_hidden( $this->viewer );
		}
		return $this->viewer_hidden;
	}

	/**
	 * Whether a room exists for the viewer: spelled canonically, and one the viewer may access.
	 *
	 * @param string $room Room.
	 * @return bool
	 */
	public function can_read_room( $room ) {
		$room = is_string( $room ) ? $room : '';
		if ( ! isset( $this->room_access[ $room ] ) ) {
			$kind                 = wp_presence_room_kind( $room );
			$this->kinds[ $room ] = $kind;
			if ( false === $kind ) {
				$ok = false;
			} elseif ( $this->operator ) {
				$parsed = 'post' === $kind ? wp_presence_parse_post_room( $room ) : null;
				$post   = $parsed ? get_post( $parsed[1] ) : null;
				$ok     = ! $parsed || ( $post && $post->post_type === $parsed[0] );
			} else {
				$ok = $this->viewer > 0 && wp_can_access_presence_room( $room, $this->viewer );
			}
			$this->room_access[ $room ] = $ok;
		}
		return $this->room_access[ $room ];
	}

	/**
	 * Whether the viewer may see a post's id and title (edit_post).
	 *
	 * @param int $post_id Post id.
	 * @return bool
	 */
	public function can_edit_post( $post_id ) {
		$post_id = (int) $post_id;
		if ( ! isset( $this->can_edit[ $post_id ] ) ) {
			$this->prime_posts( array( $post_id ) );
		}
		return $this->can_edit[ $post_id ];
	}

	/**
	 * Loads posts in one query and decides edit_post for each.
	 *
	 * @param int[] $post_ids Post ids.
	 * @return void
	 */
	private function prime_posts( array $post_ids ) {
		$todo = array();
		foreach ( array_unique( array_map( 'intval', $post_ids ) ) as $id ) {
			if ( $id > 0 && ! isset( $this->can_edit[ $id ] ) ) {
				$todo[] = $id;
			} elseif ( $id <= 0 ) {
				$this->can_edit[ $id ] = false;
			}
		}
		if ( ! $todo ) {
			return;
		}
		_prime_post_caches( $todo, false, false ); // One query for the posts not cached yet.
		$current = get_current_user_id() === $this->viewer;
		foreach ( $todo as $id ) {
			if ( ! get_post( $id ) ) {
				$this->can_edit[ $id ] = false;
			} elseif ( $this->operator ) {
				$this->can_edit[ $id ] = true;
			} else {
				$this->can_edit[ $id ] = $this->viewer > 0 && ( $current ? current_user_can( 'edit_post', $id ) : user_can( $this->viewer, 'edit_post', $id ) );
			}
		}
	}

	/**
	 * The card of a user, from the entries prepared so far or from the database.
	 *
	 * @param int $user_id User id.
	 * @return array|null Null for a user without a name (deleted, or user 0).
	 */
	private function card( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return null;
		}
		if ( ! array_key_exists( $user_id, $this->cards ) ) {
			$primed                  = wp_presence_prime_cards( array( $user_id ) );
			$this->cards[ $user_id ] = isset( $primed[ $user_id ] ) ? $primed[ $user_id ] : null;
		}
		$card = $this->cards[ $user_id ];
		return is_array( $card ) && empty( $card['x'] ) ? $card : null;
	}

	/**
	 * Collects what see() needs about a batch of entries: their users' cards (one query for the
	 * users without one) and whether the viewer can edit their posts (one query).
	 *
	 * @param array[] $entries Stored entries.
	 * @param bool    $posts   Whether to load their posts too (false: the entries go through
	 *                         see_for_rows(), and rows_from() loads the posts its rows show).
	 * @return void
	 */
	private function prepare( array $entries, $posts = true ) {
		$need     = array(); // Users none of whose entries (newest first) carries a valid card.
		$post_ids = array();
		foreach ( $entries as $entry ) {
			$uid = (int) $entry['user_id'];
			if ( $uid > 0 && ! isset( $this->cards[ $uid ] ) ) {
				$card = isset( $entry['data']['_wp'] ) ? wp_presence_valid_card( $entry['data']['_wp'], $uid ) : null;
				if ( $card ) {
					$this->cards[ $uid ] = $card;
					unset( $need[ $uid ] );
				} elseif ( ! array_key_exists( $uid, $this->cards ) ) {
					$need[ $uid ] = $uid;
				}
			}
			if ( $posts && isset( $entry['data']['post_id'] ) ) {
				$post_id = wp_presence_parse_id( $entry['data']['post_id'] );
				if ( $post_id ) {
					$post_ids[ $post_id ] = $post_id;
				}
			}
		}
		if ( $need ) {
			foreach ( wp_presence_prime_cards( array_values( $need ) ) as $uid => $card ) {
				$this->cards[ $uid ] = $card;
			}
		}
		$this->prime_posts( array_values( $post_ids ) );
	}

	/**
	 * Whether another user is hidden from the viewer. Hidden users' entries are stored apart;
	 * this catches the ones written before the user became hidden by a filter, until their next
	 * write moves them.
	 *
	 * @param int $user_id User id (not the viewer).
	 * @return bool
	 */
	private function is_hidden_user( $user_id ) {
		if ( ! isset( $this->hidden[ $user_id ] ) ) {
			$this->card( $user_id ); // Loads it (a deleted user's too, with the preference).
			$card                     = isset( $this->cards[ $user_id ] ) && is_array( $this->cards[ $user_id ] ) ? $this->cards[ $user_id ] : null;
			$pref                     = $card ? (string) $card['p'] : null;
			$this->hidden[ $user_id ] = null === $pref || $this->forced ? wp_presence_user_is_hidden( $user_id, $pref ) : 'invisible' === $pref && wp_presence_invisible_allowed();
		}
		return $this->hidden[ $user_id ];
	}

	/**
	 * What of one stored entry the viewer may see: the bridge's one visibility decision.
	 *
	 * @param array $entry Stored entry (room, client_id, user_id, data, updated, expires).
	 * @return array|null Null when the entry does not exist for the viewer; otherwise the entry as
	 *                    the viewer sees it: room, client_id (tab ids replaced by a token),
	 *                    user_id, data (only the fields the viewer may read), updated, expires,
	 *                    own (whether it is the viewer's).
	 */
	public function see( array $entry ) {
		return $this->decide( $entry, true );
	}

	/**
	 * see() for an entry whose only use is a row of rows_from(), which decides edit_post itself
	 * for the one entry per user whose location the row shows: the post of another entry (a
	 * user's other tab) is then neither loaded nor checked, and never reaches the output. The
	 * `post_id` it leaves in `data` is unchecked, so its result must go nowhere but rows_from();
	 * its `client_id` is empty (rows have none). With a `wp_presence_see_entry` rule it is see()
	 * (the rule gets the entry as see() makes it).
	 *
	 * @param array $entry Stored entry.
	 * @return array|null See see().
	 */
	private function see_for_rows( array $entry ) {
		return $this->decide( $entry, $this->filtered );
	}

	/**
	 * see(), optionally leaving another user's post id unchecked (see_for_rows()).
	 *
	 * @param array $entry       Stored entry.
	 * @param bool  $check_posts Whether `data.post_id` is kept only for a post the viewer can edit
	 *                           (false: see_for_rows(), which leaves `client_id` empty too).
	 * @return array|null See see().
	 */
	private function decide( array $entry, $check_posts ) {
		$room = isset( $entry['room'] ) && is_string( $entry['room'] ) ? $entry['room'] : '';
		if ( ! $this->can_read_room( $room ) ) {
			return null;
		}
		$uid = isset( $entry['user_id'] ) ? (int) $entry['user_id'] : 0;
		$own = $uid > 0 && $uid === $this->viewer;
		if ( ! $own && $uid > 0 && $this->is_hidden_user( $uid ) ) {
			return null;
		}
		$data   = isset( $entry['data'] ) && is_array( $entry['data'] ) ? $entry['data'] : array();
		$client = isset( $entry['client_id'] ) ? (string) $entry['client_id'] : '';
		$activity = null;
		if ( $own || 'free' === $this->kinds[ $room ] ) { // Known once can_read_room() said yes.
			$data = wp_presence_without_reserved_keys( $data );
		} elseif ( 'admin' === $this->kinds[ $room ] && ! $this->can_see_location_of( $uid ) ) {
			$activity = wp_presence_clean_activity( isset( $data['activity'] ) ? $data['activity'] : null );
			$data     = array();
		} else {
			$data = $this->interpreted_fields( $data, $check_posts );
		}
		if ( ! $check_posts ) {
			$client = ''; // Only rows_from() reads it, and a row has no client id (its token cost 15 k instructions).
		} elseif ( ! $own ) {
			$client = wp_presence_public_client_id( $client );
		}
		$seen = array(
			'room'      => $room,
			'client_id' => $client,
			'user_id'   => $uid,
			'data'      => $data,
			'updated'   => isset( $entry['updated'] ) ? (int) $entry['updated'] : 0,
			'expires'   => isset( $entry['expires'] ) ? (int) $entry['expires'] : 0,
			'own'       => $own,
		);
		if ( null !== $activity ) {
			$seen['activity'] = $activity; // Statuses still work; see wp_presence_entry_activity().
		}
		if ( ! $this->filtered ) {
			return $seen;
		}

		/**
		 * Filters what of one presence entry a viewer may see (the bridge's map_meta_cap()).
		 *
		 * Every output path asks this question for every entry it shows: Heartbeat rows, REST
		 * items and room lists, WP-CLI, the admin UI's API functions and the network view. Return
		 * null to make the entry not exist for the viewer (it is then left out of lists and
		 * counts, and POST and DELETE answer as for an absent entry), or the array with fewer or
		 * more `data` fields (copy them from `$entry`). Entries of hidden users never reach this
		 * filter, except the viewer's own.
		 *
		 * @since 1.2.0
		 *
		 * @param array|null $seen   The entry as the viewer would see it: room, client_id, user_id,
		 *                           data, updated, expires, own.
		 * @param array      $entry  The stored entry.
		 * @param int        $viewer Viewer's user id (0 for the command-line operator).
		 */
		$seen = apply_filters( 'wp_presence_see_entry', $seen, $entry, $this->viewer );
		return is_array( $seen ) && isset( $seen['data'] ) && is_array( $seen['data'] ) ? $seen : null;
	}

	/**
	 * Whether the viewer may see where a user is (the `view_presence_location` meta capability:
	 * always for oneself, otherwise `list_users`; sites change it on `map_meta_cap` or
	 * `user_has_cap`). The command-line operator may.
	 *
	 * @param int $user_id User id of the entry.
	 * @return bool
	 */
	public function can_see_location_of( $user_id ) {
		$user_id = (int) $user_id;
		if ( $this->operator || ( $user_id > 0 && $user_id === $this->viewer ) ) {
			return true;
		}
		if ( $this->viewer <= 0 ) {
			return false;
		}
		if ( ! isset( $this->locations[ $user_id ] ) ) {
			if ( null !== $this->location_for_others ) {
				return $this->location_for_others;
			}
			$this->locations[ $user_id ] = get_current_user_id() === $this->viewer
				? current_user_can( 'view_presence_location', $user_id )
				: user_can( $this->viewer, 'view_presence_location', $user_id );
			if ( wp_presence_location_cap_is_uniform() ) {
				$this->location_for_others = $this->locations[ $user_id ];
			}
		}
		return $this->locations[ $user_id ];
	}

	/**
	 * The interpreted keys of another user's entry in `admin/online` or a post room, as a reader
	 * trusts them: a screen id, an activity, and a post id the viewer can edit.
	 *
	 * @param array $data        Stored data.
	 * @param bool  $check_posts Whether to check edit_post (false: see_for_rows()).
	 * @return array
	 */
	private function interpreted_fields( array $data, $check_posts = true ) {
		$shown  = array();
		$screen = wp_presence_clean_screen( isset( $data['screen'] ) ? $data['screen'] : null );
		if ( '' !== $screen ) {
			$shown['screen'] = $screen;
		}
		if ( isset( $data['activity'] ) && wp_presence_activity_rank( $data['activity'] ) ) {
			$shown['activity'] = $data['activity'];
		}
		$post_id = isset( $data['post_id'] ) ? wp_presence_parse_id( $data['post_id'] ) : 0;
		if ( $post_id && ( ! $check_posts || $this->can_edit_post( $post_id ) ) ) {
			$shown['post_id'] = $post_id;
		}
		return $shown;
	}

	/**
	 * The viewer's own live entries in the hidden namespace (none unless the viewer is hidden).
	 *
	 * @return array[]
	 */
	private function own_hidden() {
		if ( null === $this->own_hidden ) {
			$this->own_hidden = array();
			if ( $this->viewer > 0 && $this->viewer_is_hidden() ) {
				$viewer           = $this->viewer;
				$this->own_hidden = (array) wp_presence_in_hidden(
					static function ( WP_Presence_Store $store ) use ( $viewer ) {
						return $store->user_entries( $viewer );
					}
				);
			}
		}
		return $this->own_hidden;
	}

	/**
	 * A room's stored entries as a viewer's list, newest first: those stored under exactly this
	 * spelling (a store comparing case-insensitively may return others), plus the viewer's own
	 * hidden ones. Nothing is decided yet: callers pass each entry through see().
	 *
	 * @param string  $room   Room.
	 * @param array[] $stored What the store returned for the room.
	 * @return array[]
	 */
	private function with_own_hidden( $room, array $stored ) {
		$list = array();
		foreach ( $stored as $entry ) {
			if ( $entry['room'] === $room ) {
				$list[] = $entry;
			}
		}
		$own = $this->own_hidden_in( $room );
		if ( $own ) {
			$list = array_merge( $list, $own );
			$list = self::newest_first( $list );
		}
		return $list;
	}

	/**
	 * The viewer's own hidden entries of one room.
	 *
	 * @param string $room Room.
	 * @return array[]
	 */
	private function own_hidden_in( $room ) {
		$out = array();
		foreach ( $this->own_hidden() as $entry ) {
			if ( $entry['room'] === $room ) {
				$out[] = $entry;
			}
		}
		return $out;
	}

	/**
	 * Entries of several rooms as the viewer sees them, newest first.
	 *
	 * @param string[] $rooms Rooms.
	 * @return array[] By room (every room asked for): seen entries (see see()).
	 */
	public function entries_of( array $rooms ) {
		$out  = array();
		$read = array();
		foreach ( $rooms as $room ) {
			$room         = (string) $room;
			$out[ $room ] = array();
			if ( $this->can_read_room( $room ) ) {
				$read[] = $room;
			}
		}
		if ( ! $read ) {
			return $out;
		}
		$store  = wp_presence_store();
		$stored = 1 === count( $read ) ? array( $read[0] => $store->room( $read[0] ) ) : $store->rooms_entries( $read );
		$lists  = array();
		$all    = array();
		foreach ( $read as $room ) {
			$list           = $this->with_own_hidden( $room, isset( $stored[ $room ] ) ? (array) $stored[ $room ] : array() );
			$lists[ $room ] = $list;
			$all[]          = $list;
		}
		$this->prepare( 1 === count( $all ) ? $all[0] : array_merge( ...$all ) );
		foreach ( $lists as $room => $list ) {
			foreach ( $list as $entry ) {
				$seen = $this->see( $entry );
				if ( null !== $seen ) {
					$out[ $room ][] = $seen;
				}
			}
		}
		return $out;
	}

	/**
	 * Entries of one room as the viewer sees them, newest first.
	 *
	 * @param string $room Room.
	 * @return array[] Seen entries.
	 */
	public function entries( $room ) {
		$all = $this->entries_of( array( (string) $room ) );
		return $all[ (string) $room ];
	}

	/**
	 * Finds one entry as it exists for the viewer: in the site's namespace, or among the viewer's
	 * own hidden entries. An entry the viewer may not see is not found, exactly as an absent one.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @return array|null array( 'seen' => seen entry, 'entry' => stored entry, 'hidden' => whether
	 *                    it is in the hidden namespace ), or null.
	 */
	public function find( $room, $client_id ) {
		if ( ! $this->can_read_room( $room ) || ! wp_presence_is_client_id( $client_id ) ) {
			return null;
		}
		$candidates = array( array( wp_presence_store()->get( $room, $client_id ), false ) );
		if ( $this->viewer > 0 && $this->viewer_is_hidden() ) {
			$hidden       = wp_presence_in_hidden(
				static function ( WP_Presence_Store $store ) use ( $room, $client_id ) {
					return $store->get( $room, $client_id );
				}
			);
			$candidates[] = array( $hidden && (int) $hidden['user_id'] === $this->viewer ? $hidden : null, true );
		}
		foreach ( $candidates as $candidate ) {
			if ( ! $candidate[0] ) {
				continue;
			}
			$this->prepare( array( $candidate[0] ) );
			$seen = $this->see( $candidate[0] );
			if ( null !== $seen ) {
				return array(
					'seen'   => $seen,
					'entry'  => $candidate[0],
					'hidden' => $candidate[1],
				);
			}
		}
		return null;
	}

	/**
	 * A room's version as the viewer sees it: it changes whenever an entry the viewer may see
	 * changes. It is the store's version of the site's room (hidden users never touch it); for a
	 * hidden viewer with own entries in the room, a string that also changes with those.
	 *
	 * @param string $room Room.
	 * @return int|string 0 for a room the viewer cannot read or that is empty. Compare for
	 *                    equality only.
	 */
	public function room_version( $room ) {
		if ( ! $this->can_read_room( $room ) ) {
			return 0;
		}
		$version = wp_presence_store()->room_version( $room );
		$own     = $this->own_hidden_in( $room );
		return $own ? $version . '.' . self::digest( $own ) : $version;
	}

	/**
	 * A short digest of entries' keys and data (not their times: a refresh is not a change).
	 *
	 * @param array[] $entries Entries.
	 * @return string
	 */
	private static function digest( array $entries ) {
		$parts = array();
		foreach ( $entries as $entry ) {
			$parts[] = array( $entry['room'], $entry['client_id'], $entry['data'] );
		}
		sort( $parts );
		return substr( md5( (string) wp_json_encode( $parts ) ), 0, 10 );
	}

	/**
	 * A user's status as the viewer sees it.
	 *
	 * @param int $user_id User id.
	 * @return string online, idle, away, dnd or offline; `invisible` only for the viewer themself
	 *                when hidden. Offline for a viewer who may not see presence at all.
	 */
	public function user_status( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return 'offline';
		}
		if ( $user_id === $this->viewer && $this->viewer_is_hidden() ) {
			if ( ! $this->own_hidden() ) {
				// Entries written before a filter hid the user: they leave the site's namespace now.
				list( $site_ns, $hidden_ns ) = wp_presence_site_namespaces();
				if ( wp_presence_move_between( $user_id, $site_ns, $hidden_ns ) ) {
					$this->own_hidden = null;
				}
			}
			return $this->own_hidden() ? 'invisible' : 'offline';
		}
		if ( $user_id !== $this->viewer && ! $this->can_read_room( wp_presence_admin_room() ) ) {
			return 'offline';
		}
		// The same read for a hidden user as for an absent one: their entries are not here.
		$entries = wp_presence_store()->user_entries( $user_id );
		if ( ! $entries || ( $user_id !== $this->viewer && wp_presence_user_is_hidden( $user_id ) ) ) {
			return 'offline';
		}
		if ( 'dnd' === wp_get_user_presence_preference( $user_id ) ) {
			return 'dnd';
		}
		$best = 'away';
		foreach ( $entries as $entry ) {
			$activity = wp_presence_entry_activity( $entry );
			if ( wp_presence_activity_rank( $activity ) > wp_presence_activity_rank( $best ) ) {
				$best = $activity;
			}
		}
		return $best;
	}
}
