<?php
/**
 * The user lifecycle: login, logout, sessions, spam, removal from a site and deletion. Each of
 * them ends the user's presence on every site concerned, on every backend.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the lifecycle hooks (called once from the main file).
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_lifecycle_hooks() {
	// Default priority, two arguments (login name, WP_User): login writes {screen: 'login'}.
	add_action( 'wp_login', 'wp_presence_on_login', 10, 2 );
	// Default priority, six arguments: the new session's token, which $_COOKIE does not hold yet at wp_login.
	add_action( 'set_logged_in_cookie', 'wp_presence_on_set_logged_in_cookie', 10, 6 );
	// Default priority, one argument (user id, WP 5.5+): logout removes the user's entries on every site.
	add_action( 'wp_logout', 'wp_presence_on_logout', 10, 1 );
	// Default priority, four arguments: sessions changed (login, destroy_others(), destroy()); entries of ended sessions go.
	add_action( 'added_user_meta', 'wp_presence_on_session_tokens_saved', 10, 4 );
	add_action( 'updated_user_meta', 'wp_presence_on_session_tokens_saved', 10, 4 );
	// Default priority, four arguments: every session ended (destroy_all(), wp_destroy_all_sessions(), drop_sessions()).
	add_action( 'deleted_user_meta', 'wp_presence_on_session_tokens_deleted', 10, 4 );
	// Default priority: a user marked as spam (wp_update_user(), update_user_status()) leaves every site.
	add_action( 'make_spam_user', 'wp_presence_on_spam_user', 10, 1 );
	// Priority 99, three arguments: after other rules, a spammer (who may still hold a cookie) is refused every room.
	add_filter( 'wp_can_access_presence_room', 'wp_presence_refuse_spammers', 99, 3 );
	// Default priority: a deleted user leaves this site's rooms at once (not after the TTL).
	add_action( 'deleted_user', 'wp_presence_on_delete_user', 10, 1 );
	// Default priority: deleted from the network, fires while the user's sites are still known.
	add_action( 'wpmu_delete_user', 'wp_presence_on_wpmu_delete_user', 10, 1 );
	// Default priority, two arguments (user id, blog id): removed from one site of a network.
	add_action( 'remove_user_from_blog', 'wp_presence_on_remove_user_from_blog', 10, 2 );
	// Default priority, four arguments: core expiring _edit_lock (leaving the editor) drops the lock entry.
	add_action( 'updated_post_meta', 'wp_presence_on_edit_lock_update', 10, 4 );
}

/**
 * Login writes `admin/online` / `user-{uid}` with `{screen: 'login'}` (default TTL).
 *
 * @since 1.0.0
 *
 * @param string  $user_login Login name.
 * @param WP_User $user       User.
 * @return void
 */
function wp_presence_on_login( $user_login, $user ) {
	if ( ! $user instanceof WP_User || ! wp_presence_recording_enabled() || ! wp_can_access_presence_room( wp_presence_admin_room(), $user->ID ) ) {
		return;
	}
	// The one write path: a hidden user's entry goes to the hidden namespace, limits apply.
	wp_presence_write( wp_presence_admin_room(), 'user-' . $user->ID, $user->ID, array( 'screen' => 'login' ), wp_presence_default_ttl(), array( 'card' => true ) );
}

/**
 * Remembers the session token of a login in this request: wp_get_session_token() reads the
 * cookie the browser sends, which a login request does not have yet.
 *
 * @since 1.1.0
 *
 * @param string $cookie     Cookie value.
 * @param int    $expire     Cookie expiry.
 * @param int    $expiration Session expiry.
 * @param int    $user_id    User id.
 * @param string $scheme     'logged_in'.
 * @param string $token      Session token.
 * @return void
 */
function wp_presence_on_set_logged_in_cookie( $cookie, $expire, $expiration, $user_id, $scheme = 'logged_in', $token = '' ) {
	$GLOBALS['wp_presence_login_tokens'][ (int) $user_id ] = (string) $token;
}

/**
 * The tag of a session, as entries carry it (`_wp.s`): a keyed hash of the session's verifier
 * (the key of the user meta `session_tokens`), so it can be matched against the sessions
 * still alive without storing anything that would let someone use the session.
 *
 * @since 1.1.0
 *
 * @param string $verifier Session verifier (sha256 of the token).
 * @return string 16 hex characters.
 */
function wp_presence_verifier_tag( $verifier ) {
	return substr( hash_hmac( 'sha256', 'presence-session|' . $verifier, wp_salt( 'auth' ) ), 0, 16 );
}

/**
 * The session tag for entries the current user writes in this request, or '' without a
 * session (application passwords, WP-CLI, cron, another user's entry).
 *
 * @since 1.1.0
 *
 * @param int $user_id The entry's user.
 * @return string
 */
function wp_presence_session_tag( $user_id ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 || get_current_user_id() !== $user_id ) {
		return '';
	}
	$token = wp_get_session_token();
	if ( '' === $token && isset( $GLOBALS['wp_presence_login_tokens'][ $user_id ] ) ) {
		$token = (string) $GLOBALS['wp_presence_login_tokens'][ $user_id ];
	}
	return '' === $token ? '' : wp_presence_verifier_tag( hash( 'sha256', $token ) );
}

/**
 * Every site of the install (of every network).
 *
 * @since 1.1.0
 *
 * @return int[] Blog ids.
 */
function wp_presence_all_blog_ids() {
	if ( ! is_multisite() ) {
		return array( get_current_blog_id() );
	}
	return array_map(
		'intval',
		get_sites(
			array(
				'fields'     => 'ids',
				'number'     => 0,
				'network_id' => 0,
			)
		)
	);
}

/**
 * The sites where a user may have presence: their sites and the current one; for a super
 * admin (present anywhere) every site, unless the network is large.
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return int[] Blog ids.
 */
function wp_presence_user_blog_ids( $user_id ) {
	if ( ! is_multisite() ) {
		return array( get_current_blog_id() );
	}
	$blogs = array_map( 'intval', array_keys( get_blogs_of_user( (int) $user_id, true ) ) );
	if ( is_super_admin( (int) $user_id ) && ! wp_is_large_network( 'sites' ) ) {
		$blogs = array_merge( $blogs, wp_presence_all_blog_ids() );
	}
	$blogs[] = get_current_blog_id();

	/**
	 * Filters the sites whose presence a user's logout, spam flag, ended sessions or deletion
	 * clears.
	 *
	 * @since 1.1.0
	 *
	 * @param int[] $blogs   Blog ids: the user's sites and the current one (every site for a
	 *                       super admin on a network that is not large).
	 * @param int   $user_id User id.
	 */
	return array_values( array_unique( array_map( 'intval', (array) apply_filters( 'wp_presence_user_sites', array_values( array_unique( $blogs ) ), (int) $user_id ) ) ) );
}

/**
 * Runs a callback on each of some sites, switched to it (so the store's namespace and any
 * derived namespace follow), and back.
 *
 * @since 1.1.0
 *
 * @param int[]    $blogs    Blog ids.
 * @param callable $callback Called with the blog id.
 * @return void
 */
function wp_presence_each_blog( array $blogs, $callback ) {
	foreach ( $blogs as $blog_id ) {
		$switch = is_multisite() && get_current_blog_id() !== (int) $blog_id;
		if ( $switch ) {
			switch_to_blog( (int) $blog_id );
		}
		try {
			call_user_func( $callback, (int) $blog_id );
		} catch ( Throwable $e ) {
			unset( $e ); // One site's store failing must not keep the others.
		} finally {
			if ( $switch ) {
				restore_current_blog();
			}
		}
	}
}

/**
 * Removes every entry of a user on every site they may be present on.
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_remove_user_everywhere( $user_id ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 ) {
		return;
	}
	wp_presence_each_blog(
		wp_presence_user_blog_ids( $user_id ),
		static function () use ( $user_id ) {
			wp_remove_user_presence( $user_id );
		}
	);
}

/**
 * Logout removes every entry of the user, on every site of theirs (the whole network shares
 * one login).
 *
 * @since 1.0.0
 *
 * @param int $user_id User id (passed since WordPress 5.5).
 * @return void
 */
function wp_presence_on_logout( $user_id = 0 ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 ) {
		$user_id = get_current_user_id();
	}
	unset( $GLOBALS['wp_presence_login_tokens'][ $user_id ] );
	wp_presence_remove_user_everywhere( $user_id );
}

/**
 * Sessions were saved (a login, destroy_others(), one session destroyed): entries written
 * under a session that no longer exists go, on every site of the user. Entries of the sessions
 * still alive stay (the current tab keeps its presence after "Log out everywhere else"), and
 * so do entries written without a session (application passwords, WP-CLI, other plugins).
 *
 * @since 1.1.0
 *
 * @param int|int[] $meta_id  Meta id.
 * @param int       $user_id  User id.
 * @param string    $meta_key Meta key.
 * @param mixed     $sessions The sessions, by verifier.
 * @return void
 */
function wp_presence_on_session_tokens_saved( $meta_id, $user_id, $meta_key, $sessions ) {
	if ( 'session_tokens' !== $meta_key || (int) $user_id <= 0 ) {
		return;
	}
	$alive = array();
	foreach ( array_keys( (array) maybe_unserialize( $sessions ) ) as $verifier ) {
		$alive[ wp_presence_verifier_tag( (string) $verifier ) ] = true;
	}
	$user_id = (int) $user_id;
	wp_presence_each_blog(
		wp_presence_user_blog_ids( $user_id ),
		static function () use ( $user_id, $alive ) {
			// Both namespaces of the site: an invisible user's entries live in the hidden one.
			foreach ( wp_presence_site_namespaces() as $ns ) {
				wp_presence_in_namespace(
					$ns,
					static function ( WP_Presence_Store $store ) use ( $user_id, $alive ) {
						foreach ( $store->user_entries( $user_id ) as $entry ) {
							$tag = isset( $entry['data']['_wp']['s'] ) && is_string( $entry['data']['_wp']['s'] ) ? $entry['data']['_wp']['s'] : '';
							if ( '' !== $tag && ! isset( $alive[ $tag ] ) ) {
								$store->remove( $entry['room'], $entry['client_id'] );
							}
						}
					}
				);
			}
		}
	);
}

/**
 * Every session of a user ended ("Log out everywhere", destroy_all()): all their presence
 * goes, on every site. WP_Session_Tokens::destroy_all_for_all_users() (user 0) ends everyone's:
 * every site's presence goes.
 *
 * @since 1.1.0
 *
 * @param int[]  $meta_ids Meta ids.
 * @param int    $user_id  User id; 0 when every user's sessions were dropped.
 * @param string $meta_key Meta key.
 * @param mixed  $value    Value.
 * @return void
 */
function wp_presence_on_session_tokens_deleted( $meta_ids, $user_id, $meta_key, $value ) {
	if ( 'session_tokens' !== $meta_key ) {
		return;
	}
	if ( (int) $user_id > 0 ) {
		wp_presence_remove_user_everywhere( (int) $user_id );
		return;
	}
	wp_presence_each_blog(
		wp_presence_all_blog_ids(),
		static function () {
			wp_presence_clear_site(); // Both namespaces of the site.
		}
	);
}

/**
 * A user marked as spam leaves every site at once.
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_on_spam_user( $user_id ) {
	wp_presence_remove_user_everywhere( (int) $user_id );
}

/**
 * Spammers are refused every room: core keeps a spammer's existing cookies valid, so without
 * this their next Heartbeat would write their presence again.
 *
 * @since 1.1.0
 *
 * @param bool   $can     Whether access is granted.
 * @param string $room    Room.
 * @param int    $user_id User id.
 * @return bool
 */
function wp_presence_refuse_spammers( $can, $room, $user_id ) {
	if ( ! $can || ! is_multisite() ) {
		return $can;
	}
	$user = get_userdata( (int) $user_id );
	return $user && ! is_user_spammy( $user );
}

/**
 * Deleting a user on a single site (or removing them from a site) removes their entries on
 * this site.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_on_delete_user( $user_id ) {
	wp_remove_user_presence( (int) $user_id );
}

/**
 * Deleting a user from the network removes their entries on every site they may be on.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_on_wpmu_delete_user( $user_id ) {
	wp_presence_remove_user_everywhere( (int) $user_id );
}

/**
 * A user removed from one site of a network leaves that site's rooms.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @param int $blog_id Blog id.
 * @return void
 */
function wp_presence_on_remove_user_from_blog( $user_id, $blog_id ) {
	$user_id = (int) $user_id;
	wp_presence_each_blog(
		array( (int) $blog_id ),
		static function () use ( $user_id ) {
			wp_remove_user_presence( $user_id );
		}
	);
}

/**
 * When core releases a post lock (its `wp-remove-post-lock` request on leaving the editor sets
 * `_edit_lock` to an expired time), the lock holder's `lock-{uid}` entry goes at once instead of
 * lingering for the lock window.
 *
 * @since 1.0.0
 *
 * @param int    $meta_id    Meta id.
 * @param int    $post_id    Post id.
 * @param string $meta_key   Meta key.
 * @param mixed  $meta_value New value, "time:user_id".
 * @return void
 */
function wp_presence_on_edit_lock_update( $meta_id, $post_id, $meta_key, $meta_value ) {
	if ( '_edit_lock' !== $meta_key || ! is_string( $meta_value ) || false === strpos( $meta_value, ':' ) ) {
		return;
	}
	list( $time, $user_id ) = array_map( 'intval', explode( ':', $meta_value, 2 ) );
	/** This filter is documented in wp-admin/includes/post.php */
	$window = (int) apply_filters( 'wp_check_post_lock_window', 150 );
	// Core releases a lock by back-dating it to 5 s before expiry; a refresh writes "now".
	if ( $user_id <= 0 || $time > time() - $window + 10 ) {
		return; // A live lock: the Heartbeat bridge keeps the entry.
	}
	$room = wp_presence_post_room( (int) $post_id );
	if ( $room ) {
		wp_remove_presence( $room, 'lock-' . $user_id );
	}
}
