<?php
/**
 * The site's storage as the bridge uses it (collect): its two namespaces, and the one write
 * path every writer goes through.
 *
 * Each site has two namespaces in the store: its own (wp_presence_namespace()) and a hidden
 * one, `{ns}~h`, that holds the entries of users who are hidden (the `invisible` preference or
 * the `wp_presence_force_invisible` filter). No client can name a namespace, and nothing reads
 * the hidden one except for the hidden user themself. So room versions, room lists, counts and
 * the active-posts version of the site never see hidden users' activity, and a request about a
 * hidden user's entry finds exactly what it finds for an absent one: nothing.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The hidden namespace of a site namespace.
 *
 * @since 1.2.0
 *
 * @param string|null $ns Site namespace; the store's current one by default.
 * @return string At most 64 bytes, never equal to a site namespace the bridge makes.
 */
function wp_presence_hidden_namespace( $ns = null ) {
	$ns = null === $ns ? (string) wp_presence_store()->get_namespace() : (string) $ns;
	return wp_presence_derived_namespace( $ns, 'h' );
}

/**
 * Runs a callback with the store in another namespace, then restores the current one.
 *
 * @since 1.2.0
 *
 * @param string   $ns       Namespace.
 * @param callable $callback Receives the store.
 * @return mixed The callback's result.
 */
function wp_presence_in_namespace( $ns, $callback ) {
	$store = wp_presence_store();
	$old   = $store->get_namespace();
	if ( (string) $old === (string) $ns ) {
		return call_user_func( $callback, $store );
	}
	$store->set_namespace( (string) $ns );
	try {
		return call_user_func( $callback, $store );
	} finally {
		$store->set_namespace( $old );
	}
}

/**
 * Runs a callback in the current site's hidden namespace.
 *
 * @since 1.2.0
 *
 * @param callable $callback Receives the store.
 * @return mixed The callback's result.
 */
function wp_presence_in_hidden( $callback ) {
	return wp_presence_in_namespace( wp_presence_hidden_namespace(), $callback );
}

/**
 * Both namespaces of the current site: its own first, then the hidden one.
 *
 * @since 1.2.0
 *
 * @return string[]
 */
function wp_presence_site_namespaces() {
	$ns = (string) wp_presence_store()->get_namespace();
	return array( $ns, wp_presence_hidden_namespace( $ns ) );
}

/**
 * Whether rewriting a stored entry with the same data would only move its timestamps: it is
 * younger than half the TTL and, with `$revive`, also has more than half the TTL left (a leave
 * beacon may have shortened it since).
 *
 * @since 1.4.0
 *
 * @param array $old    Stored entry (updated, expires).
 * @param int   $now    The store's time.
 * @param int   $ttl    TTL of the write.
 * @param bool  $revive See wp_presence_write()'s `revive`.
 * @return bool
 */
function wp_presence_entry_is_fresh( array $old, $now, $ttl, $revive ) {
	$half = (int) floor( $ttl / 2 );
	return $now - (int) $old['updated'] < $half && ( ! $revive || (int) $old['expires'] - $now > $ttl - $half );
}

/**
 * Writes an entry: the one path every writer takes (Heartbeat, the post-lock bridge, login,
 * REST, wp_set_presence(), WP-CLI).
 *
 * It checks the room and client id, drops the reserved keys a caller may have put in the data
 * (the bridge adds its own card when asked), writes to the namespace the user belongs in (the
 * hidden one for a hidden user), moves the user's other entries along when they are in the
 * other namespace, and refuses a new entry beyond the per-user and per-site limits. Nothing
 * already stored is lost when it refuses.
 *
 * @since 1.2.0
 *
 * @param string $room      Room (canonical spelling).
 * @param string $client_id Client id (1..191 characters).
 * @param int    $user_id   User id.
 * @param array  $data      Data.
 * @param int    $ttl       TTL in seconds.
 * @param array  $args {
 *     Optional.
 *     @type bool|array $card     Store the user's card (display name, avatar, preference): true,
 *                                or the card when the caller has built it. Default false.
 *     @type bool       $may_skip Skip the write when the stored entry already holds this user
 *                                and data and is younger than half its TTL. Default false.
 *     @type bool       $revive   With `may_skip`: skip only while the stored entry also has more
 *                                than half the TTL left, so a writer that is still there renews an
 *                                entry a leave beacon shortened. Default false.
 *     @type array|null $exchange Also read the room, in as few store calls as the store allows
 *                                (wp_presence_exchange()): `max_age` (int|null). The result
 *                                then carries `entries`, the room's entries in the namespace
 *                                written to, after the write, newest first. Default null.
 * }
 * @return array|WP_Error array( 'old' => the entry before or null, 'written' => bool ), or an
 *                        error: presence_invalid_room, presence_invalid_client_id,
 *                        presence_invalid_data, presence_limit_exceeded,
 *                        presence_site_limit_exceeded, presence_unavailable.
 */
function wp_presence_write( $room, $client_id, $user_id, array $data, $ttl, array $args = array() ) {
	$args    = array_merge(
		array(
			'card'     => false,
			'may_skip' => false,
			'revive'   => false,
			'exchange' => null,
		),
		$args
	);
	$user_id = max( 0, (int) $user_id );
	$ttl     = max( 1, min( 86400, (int) $ttl ) );
	if ( false === wp_presence_room_kind( $room ) ) {
		return new WP_Error( 'presence_invalid_room', __( 'The room name is not valid: an interpreted room must be spelled exactly as the bridge spells it.', 'presence' ) );
	}
	if ( ! wp_presence_is_client_id( $client_id ) ) {
		return new WP_Error( 'presence_invalid_client_id', __( 'The client id must be 1 to 191 characters of UTF-8.', 'presence' ) );
	}
	$data = wp_presence_without_reserved_keys( $data );
	if ( $args['card'] && $user_id > 0 ) {
		$card        = is_array( $args['card'] ) ? wp_presence_valid_card( $args['card'], $user_id ) : null;
		$data['_wp'] = $card ? $card : wp_presence_user_card( $user_id );
	}
	list( $site_ns, $hidden_ns ) = wp_presence_site_namespaces();
	$hidden                      = wp_presence_user_is_hidden( $user_id );
	$target                      = $hidden ? $hidden_ns : $site_ns;
	$other                       = $hidden ? $site_ns : $hidden_ns;

	try {
		$result = wp_presence_in_namespace(
			$target,
			static function ( WP_Presence_Store $store ) use ( $room, $client_id, $user_id, $data, $ttl, $args, $target, $other, $site_ns, $hidden_ns ) {
				$read = is_array( $args['exchange'] ) ? wp_presence_exchange_read( $store, $room, $client_id ) : null;
				$old  = $read ? $read['old'] : $store->get( $room, $client_id );
				// The clock last: on Redis it is a script call, and most writes are decided before it.
				if ( $args['may_skip'] && $old && (int) $old['user_id'] === $user_id && $old['data'] === $data
					&& wp_presence_entry_is_fresh( $old, $store->now(), $ttl, $args['revive'] ) ) {
					return array(
						'old'     => $old,
						'written' => false,
						'entries' => $read ? $read['entries'] : null,
					);
				}
				if ( $read && $old && (int) $old['user_id'] === $user_id && method_exists( $store, 'exchange' ) ) {
					// A refresh: no limit applies and nothing moves, so the store may write and
					// read in one call (the extension's presence_exchange()).
					return array(
						'old'     => $old,
						'written' => true,
						'entries' => $store->exchange( $room, $client_id, $user_id, $data, $ttl ),
					);
				}
				if ( ! $old && $user_id > 0 && wp_presence_move_between( $user_id, $other, $target ) ) {
					$old = $store->get( $room, $client_id ); // It may have been among those moved.
				}
				if ( ! $old ) {
					$refusal = wp_presence_check_limits( $store, $user_id, array( $site_ns, $hidden_ns ) );
					if ( $refusal ) {
						return $refusal;
					}
				}
				if ( $read && method_exists( $store, 'upsert_known' ) ) {
					// The old entry was just read: the SQL store writes in one query, and gives
					// the room a new version only when what others see of it changed.
					$store->upsert_known( $room, $client_id, $user_id, $data, $ttl, ! $old || (int) $old['user_id'] !== $user_id || wp_presence_change_is_seen( $room, $old['data'], $data ) );
				} else {
					$store->upsert( $room, $client_id, $user_id, $data, $ttl );
				}
				return array(
					'old'     => $old,
					'written' => true,
					'entries' => $read ? wp_presence_exchange_merge( $store, $read['entries'], $room, $client_id, $user_id, $data, $ttl ) : null,
				);
			}
		);
	} catch ( ValueError $e ) {
		return new WP_Error( 'presence_invalid_data', $e->getMessage() );
	} catch ( Throwable $e ) {
		return new WP_Error( 'presence_unavailable', $e->getMessage() );
	}
	if ( is_array( $result ) && $result['written'] && ( ! $result['old'] || (int) $result['old']['user_id'] !== $user_id ) ) {
		/**
		 * Fires after a write created an entry (or gave its key to another user), for the
		 * collaboration actions (includes/collaboration.php).
		 *
		 * @since 1.3.0
		 *
		 * @param string $room      Room.
		 * @param string $client_id Client id.
		 * @param int    $user_id   User id.
		 * @param bool   $hidden    Whether it went to the hidden namespace.
		 */
		do_action( 'wp_presence_entry_added', $room, $client_id, $user_id, $hidden );
	}
	if ( is_array( $result ) && $result['written'] && ! $hidden ) {
		wp_presence_admin_room_touched( $room );
	}
	return $result;
}

/**
 * Fires presence-api's `wp_presence_admin_room_changed` when a write or a removal changed a row
 * of the site's `admin/online` room. Only the site namespace counts: what happens in the hidden
 * one (invisible users) must not be observable, not even as a hook firing.
 *
 * @since 1.3.0
 *
 * @param string $room Room written to or removed from.
 */
function wp_presence_admin_room_touched( $room ) {
	if ( wp_presence_admin_room() !== $room ) {
		return;
	}
	/**
	 * Fires after a write changed at least one row of the `admin/online` room, and whenever
	 * a removal (wp_remove_presence(), wp_remove_user_presence(), logout…) deleted rows there,
	 * as in presence-api (0.2). A skipped redundant write or a removal of nothing does not
	 * fire it, and neither does anything an invisible user does.
	 *
	 * @since 1.3.0
	 */
	do_action( 'wp_presence_admin_room_changed' );
}

/**
 * Moves a user's live entries from one namespace of the site to the other, re-stamping the
 * preference in their cards. Entries of the same key in the target are overwritten: bridge
 * client ids carry their user's id, so the user takes their own key back.
 *
 * The source entries go first: a process that dies half-way loses a hidden user's entries
 * until their next write rather than leaving them visible.
 *
 * @since 1.2.0
 *
 * @param int         $user_id User id.
 * @param string      $from    Namespace the entries are in.
 * @param string      $to      Namespace they move to.
 * @param string|null $pref    Preference to stamp into their cards (null: keep).
 * @return int Entries moved.
 */
function wp_presence_move_between( $user_id, $from, $to, $pref = null ) {
	$store   = wp_presence_store();
	$entries = wp_presence_in_namespace(
		$from,
		static function ( WP_Presence_Store $s ) use ( $user_id ) {
			$list = $s->user_entries( $user_id );
			if ( $list ) {
				$s->remove_user( $user_id );
			}
			return $list;
		}
	);
	if ( ! $entries ) {
		return 0;
	}
	$now = $store->now();
	wp_presence_in_namespace(
		$to,
		static function ( WP_Presence_Store $s ) use ( $entries, $pref, $now, $user_id ) {
			foreach ( $entries as $entry ) {
				$data = is_array( $entry['data'] ) ? $entry['data'] : array();
				if ( null !== $pref && isset( $data['_wp'] ) && is_array( $data['_wp'] ) ) {
					$data['_wp']['p'] = $pref;
				}
				$s->upsert( $entry['room'], $entry['client_id'], $user_id, $data, max( 1, (int) $entry['expires'] - $now ) );
			}
		}
	);
	return count( $entries );
}

/**
 * After a user's preference changed: moves their entries to the namespace they now belong in,
 * or re-stamps them in place with the new preference.
 *
 * @since 1.2.0
 *
 * @param int    $user_id    User id.
 * @param bool   $was_hidden Whether the user was hidden before.
 * @param bool   $hidden     Whether the user is hidden now.
 * @param string $pref       The new preference.
 * @return int Entries moved or re-stamped.
 */
function wp_presence_move_user_entries( $user_id, $was_hidden, $hidden, $pref ) {
	list( $site_ns, $hidden_ns ) = wp_presence_site_namespaces();
	$from                        = $was_hidden ? $hidden_ns : $site_ns;
	$to                          = $hidden ? $hidden_ns : $site_ns;
	if ( $from !== $to ) {
		return wp_presence_move_between( $user_id, $from, $to, $pref );
	}
	return (int) wp_presence_in_namespace(
		$to,
		static function ( WP_Presence_Store $s ) use ( $user_id, $pref ) {
			$now = $s->now();
			$n   = 0;
			foreach ( $s->user_entries( $user_id ) as $entry ) {
				$data = $entry['data'];
				if ( ! wp_presence_valid_card( isset( $data['_wp'] ) ? $data['_wp'] : null, $user_id ) ) {
					continue; // Entries without a bridge card read the preference from user meta.
				}
				$data['_wp']['p'] = $pref;
				$s->upsert( $entry['room'], $entry['client_id'], $user_id, $data, max( 1, (int) $entry['expires'] - $now ) );
				++$n;
			}
			return $n;
		}
	);
}

/**
 * Removes one entry from both namespaces of the site.
 *
 * @since 1.2.0
 *
 * @param string   $room      Room.
 * @param string   $client_id Client id.
 * @param int|null $owner     Only remove an entry of this user (null: whoever it belongs to).
 * @return bool Whether something was removed.
 */
function wp_presence_remove_entry( $room, $client_id, $owner = null ) {
	$removed = false;
	// The removed entries are only read when a collaboration listener needs their users.
	$listen  = has_action( 'wp_presence_collaboration_ended' );
	foreach ( wp_presence_site_namespaces() as $i => $ns ) {
		$gone = wp_presence_in_namespace(
			$ns,
			static function ( WP_Presence_Store $s ) use ( $room, $client_id, $owner, $listen ) {
				$entry = null !== $owner || $listen ? $s->get( $room, $client_id ) : null;
				if ( null !== $owner ) {
					if ( ! $entry || (int) $entry['user_id'] !== (int) $owner || $entry['client_id'] !== $client_id || $entry['room'] !== $room ) {
						return false;
					}
				}
				return $s->remove( $room, $client_id ) ? ( $entry ? $entry : true ) : false;
			}
		);
		if ( is_array( $gone ) ) {
			/**
			 * Fires after an entry was removed, for the collaboration actions.
			 *
			 * @since 1.3.0
			 *
			 * @param string $room      Room.
			 * @param string $client_id Client id.
			 * @param int    $user_id   Its user.
			 * @param bool   $hidden    Whether it was in the hidden namespace.
			 */
			do_action( 'wp_presence_entry_removed', $room, $client_id, (int) $gone['user_id'], 1 === $i );
		}
		if ( $gone && 0 === $i ) {
			wp_presence_admin_room_touched( $room );
		}
		$removed = (bool) $gone || $removed;
	}
	return $removed;
}

/**
 * Removes every entry of a user from both namespaces of the site.
 *
 * @since 1.2.0
 *
 * @param int $user_id User id.
 * @return int Entries removed.
 */
function wp_presence_remove_user_entries( $user_id ) {
	$removed = 0;
	// The removed entries are only read when a collaboration listener needs their users.
	$listen  = has_action( 'wp_presence_collaboration_ended' );
	foreach ( wp_presence_site_namespaces() as $i => $ns ) {
		$gone     = array();
		$in_admin = false;
		$count    = (int) wp_presence_in_namespace(
			$ns,
			static function ( WP_Presence_Store $s ) use ( $user_id, $listen, &$gone, &$in_admin ) {
				$gone = $listen || has_action( 'wp_presence_admin_room_changed' ) ? $s->user_entries( (int) $user_id ) : array();
				$in_admin = in_array( wp_presence_admin_room(), wp_list_pluck( $gone, 'room' ), true );
				return $s->remove_user( (int) $user_id );
			}
		);
		$removed += $count;
		if ( $count > 0 && $in_admin && 0 === $i ) {
			wp_presence_admin_room_touched( wp_presence_admin_room() );
		}
		foreach ( $gone as $entry ) {
			/** This action is documented in includes/site-store.php */
			do_action( 'wp_presence_entry_removed', $entry['room'], $entry['client_id'], (int) $user_id, 1 === $i );
		}
	}
	return $removed;
}

/**
 * Removes every entry of the site, in both namespaces, and its stale-screen revisions.
 *
 * @since 1.2.0
 *
 * @return int Entries removed.
 */
function wp_presence_clear_site() {
	$removed  = 0;
	$spaces   = wp_presence_site_namespaces();
	$spaces[] = wp_presence_derived_namespace( $spaces[0], 's' ); // The stale-screen revisions.
	foreach ( $spaces as $ns ) {
		$removed += (int) wp_presence_in_namespace(
			$ns,
			static function ( WP_Presence_Store $s ) {
				return $s->clear();
			}
		);
	}
	return $removed;
}

/**
 * Live entries of the site in both namespaces (for the per-site limit).
 *
 * @since 1.2.0
 *
 * @param string[]|null $namespaces Both namespaces of the site (wp_presence_site_namespaces(),
 *                                  which is the default, needs the store in the site's own).
 * @return int
 */
function wp_presence_site_entry_count( $namespaces = null ) {
	$count = 0;
	foreach ( is_array( $namespaces ) ? $namespaces : wp_presence_site_namespaces() as $ns ) {
		$count += (int) wp_presence_in_namespace(
			$ns,
			static function ( WP_Presence_Store $s ) {
				if ( method_exists( $s, 'entry_count' ) ) {
					return $s->entry_count(); // Redis: rooms() would read every entry of every room.
				}
				return array_sum( array_map( 'intval', wp_list_pluck( $s->rooms( '' ), 'entries' ) ) );
			}
		);
	}
	return $count;
}
