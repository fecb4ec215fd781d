<?php
/**
 * The stale-screen warning: "X updated this screen" when someone else saved a screen you have
 * open (a post, user, term or comment screen, a Settings API page, Privacy, Network settings).
 *
 * Each screen key has a revision kept in the store: one small entry in the room `_screen/{key}`
 * (client id `rev`, user id 0), bumped on save with who saved and when. A page sends its key and
 * the revision it was rendered with on each Heartbeat; the reply carries the current revision
 * only when it moved and someone else saved. A steady tick costs one store read and no query.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Room prefix of screen revisions; the rooms are closed to the presence API and REST.
 */
const WP_PRESENCE_SCREEN_ROOM_PREFIX = '_screen/';

/**
 * Whether a screen key is well formed: `post:{id}`, `user:{id}`, `term:{id}`, `comment:{id}`,
 * `options:{settings group}`, `privacy`, `network:settings` or `network:wp_presence`. Keys are
 * exact: no case or whitespace variants.
 *
 * @since 1.1.0
 *
 * @param mixed $key Key.
 * @return bool
 */
function wp_presence_screen_key_is_valid( $key ) {
	return is_string( $key ) && 1 === preg_match( '/^(?:(?:post|user|term|comment):[1-9][0-9]{0,18}|options:[A-Za-z0-9_-]{1,100}|privacy|network:(?:settings|wp_presence))$/D', $key );
}

/**
 * Lifetime of a revision entry: how long after a save a page that was open before it can still
 * be warned (a page whose Heartbeat was suspended longer misses the warning).
 *
 * @since 1.1.0
 *
 * @return int Seconds.
 */
function wp_presence_screen_revision_ttl() {
	/**
	 * Filters how long, in seconds, a screen's last save is remembered for the stale-screen warning.
	 *
	 * @since 1.1.0
	 *
	 * @param int $ttl Default 43200 (12 hours); at most 86400.
	 */
	return max( 60, min( 86400, (int) apply_filters( 'wp_presence_screen_revision_ttl', 12 * HOUR_IN_SECONDS ) ) );
}

/**
 * Runs a callback in the namespace a key's revision lives in: network keys in the main site's,
 * the others in the current site's.
 *
 * @since 1.1.0
 *
 * @param string   $key      Screen key.
 * @param callable $callback Callback, given the store.
 * @return mixed The callback's result.
 */
function wp_presence_in_screen_namespace( $key, $callback ) {
	if ( is_multisite() && 0 === strpos( $key, 'network:' ) && get_current_blog_id() !== get_main_site_id() ) {
		return wp_presence_in_blog(
			get_main_site_id(),
			static function () use ( $callback ) {
				return wp_presence_in_revisions( $callback );
			}
		);
	}
	return wp_presence_in_revisions( $callback );
}

/**
 * Runs a callback in the current site's namespace of screen revisions (`{ns}~s`). Revisions are
 * not presence: kept apart, they never show in the site's room lists, counts or versions, and no
 * client can address them.
 *
 * @since 1.2.0
 *
 * @param callable $callback Callback, given the store.
 * @return mixed The callback's result.
 */
function wp_presence_in_revisions( $callback ) {
	return wp_presence_in_namespace( wp_presence_derived_namespace( wp_presence_store()->get_namespace(), 's' ), $callback );
}

/**
 * The stored revision of a screen.
 *
 * @since 1.1.0
 *
 * @param string $key Screen key.
 * @return array|null r (revision), u (saver), t (time), n (saver's name), p (saver's preference),
 *                    o (the latest earlier save by someone else than u, same keys); null when none.
 */
function wp_presence_screen_revision( $key ) {
	if ( ! wp_presence_screen_key_is_valid( $key ) ) {
		return null;
	}
	$entry = wp_presence_in_screen_namespace(
		$key,
		static function ( $store ) use ( $key ) {
			return $store->get( WP_PRESENCE_SCREEN_ROOM_PREFIX . $key, 'rev' );
		}
	);
	return $entry && isset( $entry['data']['r'] ) ? $entry['data'] : null;
}

/**
 * One save as kept in a revision.
 *
 * @param array $data Revision data.
 * @return array r, u, t, n, p.
 */
function wp_presence_screen_save_fields( array $data ) {
	return array(
		'r' => isset( $data['r'] ) ? (int) $data['r'] : 0,
		'u' => isset( $data['u'] ) ? (int) $data['u'] : 0,
		't' => isset( $data['t'] ) ? (int) $data['t'] : 0,
		'n' => isset( $data['n'] ) ? (string) $data['n'] : '',
		'p' => isset( $data['p'] ) ? (string) $data['p'] : '',
	);
}

/**
 * Bumps a screen's revision: someone saved it.
 *
 * Revisions grow with the store's clock (milliseconds), so a screen whose entry expired never
 * shows an older number again; several bumps in one request (options.php saving a page's
 * options one by one) just count up. Nothing while recording is off, nor while importing
 * (`wp_presence_bump_screen_revision` filter). A store failure never breaks the save.
 *
 * @since 1.1.0
 *
 * @param string   $key      Screen key.
 * @param int|null $actor_id Who saved; the current user by default (0: nobody known).
 * @return int The new revision, or 0 when nothing was recorded.
 */
function wp_presence_bump_screen_revision( $key, $actor_id = null ) {
	if ( ! wp_presence_screen_key_is_valid( $key ) || ! wp_presence_recording_enabled() ) {
		return 0;
	}
	$actor_id = null === $actor_id ? get_current_user_id() : max( 0, (int) $actor_id );

	/**
	 * Filters whether a save bumps its screen's revision. By default it does, except while
	 * importing (`WP_IMPORTING`), so an import of thousands of posts does not fill the store.
	 *
	 * @since 1.1.0
	 *
	 * @param bool   $bump     Whether to record the save.
	 * @param string $key      Screen key.
	 * @param int    $actor_id Who saved.
	 */
	if ( ! apply_filters( 'wp_presence_bump_screen_revision', ! ( defined( 'WP_IMPORTING' ) && WP_IMPORTING ), $key, $actor_id ) ) {
		return 0;
	}
	try {
		$rev = wp_presence_in_screen_namespace(
			$key,
			static function ( $store ) use ( $key, $actor_id ) {
				$room = WP_PRESENCE_SCREEN_ROOM_PREFIX . $key;
				$old  = $store->get( $room, 'rev' );
				$old  = $old && is_array( $old['data'] ) ? $old['data'] : null;
				$now  = (int) $store->now();
				$card = $actor_id ? wp_presence_user_card( $actor_id ) : array(
					'n' => '',
					'p' => '',
				);
				$data = array(
					'r' => max( $old ? (int) $old['r'] + 1 : 0, $now * 1000 ),
					'u' => $actor_id,
					't' => $now,
					'n' => (string) $card['n'],
					'p' => (string) $card['p'],
				);
				if ( $old && (int) $old['u'] !== $actor_id ) {
					$data['o'] = wp_presence_screen_save_fields( $old );
				} elseif ( $old && isset( $old['o'] ) && is_array( $old['o'] ) ) {
					$data['o'] = wp_presence_screen_save_fields( $old['o'] );
				}
				$store->upsert( $room, 'rev', 0, $data, wp_presence_screen_revision_ttl() );
				return $data['r'];
			}
		);
	} catch ( Throwable $e ) {
		return 0;
	}

	/**
	 * Fires after a screen's revision moved: someone saved the screen.
	 *
	 * @since 1.1.0
	 *
	 * @param string $key      Screen key, e.g. 'post:12' or 'options:general'.
	 * @param int    $rev      The new revision.
	 * @param int    $actor_id Who saved (0 when unknown).
	 */
	do_action( 'wp_presence_screen_revision_bumped', $key, $rev, $actor_id );
	return $rev;
}

/**
 * Whether a user may view a screen (and so learn anything about its revision).
 *
 * @since 1.1.0
 *
 * @param string $key     Screen key.
 * @param int    $user_id User; the current one by default.
 * @return bool
 */
function wp_presence_user_can_view_screen( $key, $user_id = 0 ) {
	$user_id = (int) $user_id > 0 ? (int) $user_id : get_current_user_id();
	if ( $user_id <= 0 || ! wp_presence_screen_key_is_valid( $key ) ) {
		return false;
	}
	$can = static function ( $cap, ...$args ) use ( $user_id ) {
		return get_current_user_id() === $user_id ? current_user_can( $cap, ...$args ) : user_can( $user_id, $cap, ...$args );
	};
	list( $type, $id ) = array_pad( explode( ':', $key, 2 ), 2, '' );
	switch ( $type ) {
		case 'post':
			return (bool) get_post( (int) $id ) && $can( 'edit_post', (int) $id );
		case 'user':
			return (bool) get_userdata( (int) $id ) && $can( 'edit_user', (int) $id );
		case 'term':
			return get_term( (int) $id ) instanceof WP_Term && $can( 'edit_term', (int) $id );
		case 'comment':
			return (bool) get_comment( (int) $id ) && $can( 'edit_comment', (int) $id );
		case 'options':
			/** This filter is documented in wp-admin/options.php */
			return $can( (string) apply_filters( "option_page_capability_{$id}", 'manage_options' ) );
		case 'privacy':
			return $can( 'manage_privacy_options' );
		case 'network':
			return is_multisite() && $can( 'manage_network_options' );
	}
	return false;
}

/**
 * The Heartbeat reply for a page: the current revision, who saved and when, or null when the
 * page is current, or only its viewer saved since, or the viewer may not view the screen (all
 * three look the same).
 *
 * @since 1.1.0
 *
 * @param string $key    Screen key.
 * @param int    $rev    Revision the page knows.
 * @param int    $viewer Viewer.
 * @return array|null key, rev, by (name, '' when not named), at (unix time), message.
 */
function wp_presence_screen_stale_reply( $key, $rev, $viewer ) {
	$current = wp_presence_screen_revision( $key );
	if ( ! $current || (int) $current['r'] <= (int) $rev ) {
		return null;
	}
	// The latest save by someone else that the page has not seen.
	$save = null;
	if ( (int) $current['u'] !== (int) $viewer ) {
		$save = wp_presence_screen_save_fields( $current );
	} elseif ( isset( $current['o'] ) && is_array( $current['o'] ) && (int) $current['o']['r'] > (int) $rev && (int) $current['o']['u'] !== (int) $viewer ) {
		$save = wp_presence_screen_save_fields( $current['o'] );
	}
	// Capabilities only now: a steady tick loads no post or user.
	if ( ! $save || ! wp_presence_user_can_view_screen( $key, $viewer ) ) {
		return null;
	}
	$hidden = $save['u'] <= 0 || '' === $save['n']
		|| ( 'invisible' === $save['p'] && wp_presence_invisible_allowed() )
		|| wp_presence_is_forced_invisible( $save['u'] );
	$name   = $hidden ? '' : $save['n'];
	$format = wp_date( 'Y-m-d', $save['t'] ) === wp_date( 'Y-m-d' ) ? get_option( 'time_format' ) : get_option( 'date_format' ) . ' ' . get_option( 'time_format' );
	$when   = wp_date( $format, $save['t'] );
	return array(
		'key'     => $key,
		'rev'     => (int) $current['r'],
		'by'      => $name,
		'at'      => $save['t'],
		'message' => '' === $name
			/* translators: %s: time of the save. */
			? sprintf( __( 'Someone updated this screen at %s. Reload to see the changes.', 'presence' ), $when )
			/* translators: 1: display name of who saved, 2: time of the save. */
			: sprintf( __( '%1$s updated this screen at %2$s. Reload to see the changes.', 'presence' ), $name, $when ),
	);
}

/**
 * Heartbeat `wp-presence-screen` {key, rev}: replies with the stale-screen notice when due.
 *
 * Hooked to `heartbeat_received`.
 *
 * @since 1.1.0
 *
 * @param array  $response  Heartbeat response.
 * @param array  $data      Heartbeat data.
 * @param string $screen_id Screen id.
 * @return array
 */
function wp_presence_screen_heartbeat( $response, $data, $screen_id ) {
	if ( ! isset( $data['wp-presence-screen'] ) || ! wp_presence_heartbeat_recording( $screen_id ) ) {
		return $response;
	}
	$in     = $data['wp-presence-screen'];
	$viewer = get_current_user_id();
	if ( $viewer <= 0 || ! is_array( $in ) || ! isset( $in['key'], $in['rev'] ) || ! is_scalar( $in['rev'] ) ) {
		return $response;
	}
	$key = is_string( $in['key'] ) ? $in['key'] : '';
	$rev = (string) $in['rev'];
	if ( ! wp_presence_screen_key_is_valid( $key ) || ! preg_match( '/^\d{1,18}$/D', $rev ) ) {
		return $response;
	}
	try {
		$reply = wp_presence_screen_stale_reply( $key, (int) $rev, $viewer );
	} catch ( Throwable $e ) {
		return $response;
	}
	if ( $reply ) {
		$response['wp-presence-screen'] = $reply;
	}
	return $response;
}

/**
 * The screen key of an admin screen.
 *
 * Plugin settings pages are guessed as `options:{page slug}`; the script uses the form's own
 * `option_page` when it differs.
 *
 * @since 1.1.0
 *
 * @param WP_Screen|null $screen Screen.
 * @return string '' when the screen has none.
 */
function wp_presence_screen_key_for( $screen ) {
	if ( ! $screen instanceof WP_Screen ) {
		return '';
	}
	// phpcs:disable WordPress.Security.NonceVerification.Recommended -- Reading which object the screen shows.
	$get = static function ( $name ) {
		return isset( $_GET[ $name ] ) && is_scalar( $_GET[ $name ] ) ? absint( $_GET[ $name ] ) : 0;
	};
	$key = '';
	switch ( $screen->base ) {
		case 'post':
			$key = $get( 'post' ) ? 'post:' . $get( 'post' ) : '';
			break;
		case 'user-edit':
			$key = $get( 'user_id' ) ? 'user:' . $get( 'user_id' ) : '';
			break;
		case 'profile':
			$key = 'user:' . get_current_user_id();
			break;
		case 'term':
			$key = $get( 'tag_ID' ) ? 'term:' . $get( 'tag_ID' ) : '';
			break;
		case 'comment':
			$key = $get( 'c' ) ? 'comment:' . $get( 'c' ) : '';
			break;
		case 'options-general':
		case 'options-writing':
		case 'options-reading':
		case 'options-discussion':
		case 'options-media':
			$key = 'options:' . substr( $screen->base, 8 );
			break;
		case 'options-privacy':
		case 'privacy-policy-guide':
			$key = 'privacy';
			break;
		case 'settings-network':
			$key = 'network:settings';
			break;
	}
	// phpcs:enable
	if ( '' === $key && 'settings_page_' . WP_PRESENCE_SETTINGS_GROUP . '-network' === $screen->id ) {
		$key = 'network:wp_presence';
	} elseif ( '' === $key && 0 === strpos( $screen->id, 'settings_page_' ) && ! $screen->in_admin( 'network' ) ) {
		$key = 'options:' . substr( $screen->id, 14 );
	}
	return wp_presence_screen_key_is_valid( $key ) ? $key : '';
}

/**
 * What the page was rendered with: the screen's revision, capped at the start of this request
 * (a save that landed while the request ran may postdate what the page read, so it counts as
 * unseen: a rare needless warning rather than a missed one).
 *
 * @since 1.1.0
 *
 * @param string $key Screen key ('' for a time-only baseline).
 * @return int
 */
function wp_presence_screen_baseline( $key ) {
	$store   = wp_presence_store();
	$started = isset( $_SERVER['REQUEST_TIME'] ) ? (int) $_SERVER['REQUEST_TIME'] : time();
	$started = ( $started + ( (int) $store->now() - time() ) ) * 1000 - 1;
	if ( '' === $key ) {
		return $started;
	}
	$current = wp_presence_screen_revision( $key );
	return min( $current ? (int) $current['r'] : 0, $started );
}

/**
 * Enqueues the warning's script on screens that have a key, for users who may view them.
 *
 * Hooked to `admin_enqueue_scripts`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_screen_enqueue() {
	if ( ! is_user_logged_in() || ! wp_presence_recording_enabled() ) {
		return;
	}
	$key = wp_presence_screen_key_for( function_exists( 'get_current_screen' ) ? get_current_screen() : null );
	if ( '' === $key || ! wp_presence_user_can_view_screen( $key ) ) {
		return;
	}
	try {
		$rev = wp_presence_screen_baseline( $key );
		$at  = wp_presence_screen_baseline( '' );
	} catch ( Throwable $e ) {
		return;
	}
	$base = plugins_url( 'assets/', WP_PRESENCE_BRIDGE_FILE );
	$dir  = WP_PRESENCE_BRIDGE_DIR . '/assets/';
	wp_enqueue_style( 'wp-presence-stale', $base . 'presence-stale.css', array(), (string) filemtime( $dir . 'presence-stale.css' ) );
	wp_enqueue_script( 'wp-presence-stale', $base . 'presence-stale.js', array( 'heartbeat' ), (string) filemtime( $dir . 'presence-stale.js' ), array( 'in_footer' => true ) );
	wp_add_inline_script(
		'wp-presence-stale',
		'window.wpPresenceStale = ' . wp_json_encode(
			array(
				'key'     => $key,
				'rev'     => $rev,
				'at'      => $at,
				'reload'  => __( 'Reload', 'presence' ),
				'dismiss' => __( 'Dismiss this notice.', 'presence' ),
			),
			JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT
		) . ';',
		'before'
	);
}

/**
 * A post was saved.
 *
 * Hooked to `save_post`.
 *
 * @since 1.1.0
 *
 * @param int     $post_id Post id.
 * @param WP_Post $post    Post.
 * @return void
 */
function wp_presence_screen_on_save_post( $post_id, $post ) {
	if ( ! $post instanceof WP_Post || wp_is_post_revision( $post ) || wp_is_post_autosave( $post ) || 'auto-draft' === $post->post_status ) {
		return;
	}
	$type = get_post_type_object( $post->post_type );
	if ( ! $type || ! $type->show_ui ) {
		return; // No screen to have open (menu items, changesets, …).
	}
	wp_presence_bump_screen_revision( 'post:' . (int) $post_id );
	if ( (int) get_option( 'wp_page_for_privacy_policy' ) === (int) $post_id ) {
		wp_presence_bump_screen_revision( 'privacy' );
	}
}

/**
 * A user was saved.
 *
 * Hooked to `profile_update`.
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_screen_on_profile_update( $user_id ) {
	wp_presence_bump_screen_revision( 'user:' . (int) $user_id );
}

/**
 * A term was saved.
 *
 * Hooked to `edited_term`.
 *
 * @since 1.1.0
 *
 * @param int $term_id Term id.
 * @return void
 */
function wp_presence_screen_on_edited_term( $term_id ) {
	wp_presence_bump_screen_revision( 'term:' . (int) $term_id );
}

/**
 * A comment was saved, or its status changed.
 *
 * Hooked to `edit_comment` and `wp_set_comment_status`.
 *
 * @since 1.1.0
 *
 * @param int $comment_id Comment id.
 * @return void
 */
function wp_presence_screen_on_edit_comment( $comment_id ) {
	wp_presence_bump_screen_revision( 'comment:' . (int) $comment_id );
}

/**
 * The settings group an option belongs to: the page options.php is saving, or the option's
 * registered group.
 *
 * @since 1.1.0
 *
 * @param string $option Option name.
 * @return string '' when none.
 */
function wp_presence_screen_option_group( $option ) {
	global $pagenow, $allowed_options;
	// phpcs:ignore WordPress.Security.NonceVerification.Missing -- options.php verified the nonce before saving.
	$page = 'options.php' === $pagenow && isset( $_POST['option_page'] ) && is_string( $_POST['option_page'] ) ? sanitize_text_field( wp_unslash( $_POST['option_page'] ) ) : '';
	if ( '' !== $page && isset( $allowed_options[ $page ] ) && in_array( $option, (array) $allowed_options[ $page ], true ) ) {
		return $page;
	}
	$settings = get_registered_settings();
	return isset( $settings[ $option ]['group'] ) ? (string) $settings[ $option ]['group'] : '';
}

/**
 * A settings page's option changed (only real changes fire this).
 *
 * Hooked to `updated_option` and `added_option`.
 *
 * @since 1.1.0
 *
 * @param string $option Option name.
 * @return void
 */
function wp_presence_screen_on_option_change( $option ) {
	$option = (string) $option;
	if ( 'wp_page_for_privacy_policy' === $option ) {
		wp_presence_bump_screen_revision( 'privacy' );
		return;
	}
	if ( 0 === strpos( $option, '_transient_' ) || 0 === strpos( $option, '_site_transient_' ) || 'cron' === $option ) {
		return; // Never a settings page's; the common case, so leave early.
	}
	$group = wp_presence_screen_option_group( $option );
	if ( '' !== $group && 'options' !== $group ) {
		wp_presence_bump_screen_revision( 'options:' . $group );
	}
}

/**
 * Network Admin → Settings was saved.
 *
 * Hooked to `update_wpmu_options`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_screen_on_network_settings() {
	wp_presence_bump_screen_revision( 'network:settings' );
}

/**
 * Network Admin → Settings → Presence was saved.
 *
 * Hooked to `wp_presence_network_settings_saved`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_screen_on_network_presence_settings() {
	wp_presence_bump_screen_revision( 'network:wp_presence' );
}

/**
 * Revision rooms are the bridge's own: closed to wp_get_presence()'s callers over REST and to
 * the room list, so nobody reads who saved a screen they cannot view.
 *
 * Hooked to `wp_can_access_presence_room`.
 *
 * @since 1.1.0
 *
 * @param bool   $can  Access.
 * @param string $room Room.
 * @return bool
 */
function wp_presence_screen_rooms_are_private( $can, $room ) {
	return 0 === strpos( (string) $room, WP_PRESENCE_SCREEN_ROOM_PREFIX ) ? false : $can;
}

/**
 * Screens whose last save (or the save before, by someone else) is a user's, with its time.
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return int[] Screen key => unix time of the save.
 */
function wp_presence_screen_revisions_by( $user_id ) {
	return wp_presence_in_revisions(
		static function ( WP_Presence_Store $store ) use ( $user_id ) {
			return wp_presence_screen_revisions_by_in( $store, $user_id );
		}
	);
}

/**
 * wp_presence_screen_revisions_by() in the store's current namespace.
 *
 * @since 1.2.0
 *
 * @param WP_Presence_Store $store   Store, in the revisions' namespace.
 * @param int               $user_id User id.
 * @return int[] Screen key => unix time of the save.
 */
function wp_presence_screen_revisions_by_in( WP_Presence_Store $store, $user_id ) {
	$found = array();
	foreach ( $store->rooms( WP_PRESENCE_SCREEN_ROOM_PREFIX ) as $room ) {
		$entry = $store->get( $room['room'], 'rev' );
		$key   = substr( $room['room'], strlen( WP_PRESENCE_SCREEN_ROOM_PREFIX ) );
		if ( ! $entry || ! is_array( $entry['data'] ) ) {
			continue;
		}
		foreach ( array( $entry['data'], isset( $entry['data']['o'] ) && is_array( $entry['data']['o'] ) ? $entry['data']['o'] : array() ) as $save ) {
			if ( isset( $save['u'] ) && (int) $save['u'] === (int) $user_id && ! isset( $found[ $key ] ) ) {
				$found[ $key ] = isset( $save['t'] ) ? (int) $save['t'] : 0;
			}
		}
	}
	ksort( $found );
	return $found;
}

/**
 * Removes a user from the revisions of this site (the saves stay, anonymous).
 *
 * @since 1.1.0
 *
 * @param int $user_id User id.
 * @return int Revisions changed.
 */
function wp_presence_anonymize_screen_revisions( $user_id ) {
	return (int) wp_presence_in_revisions(
		static function ( WP_Presence_Store $store ) use ( $user_id ) {
			return wp_presence_anonymize_screen_revisions_in( $store, $user_id );
		}
	);
}

/**
 * wp_presence_anonymize_screen_revisions() in the store's current namespace.
 *
 * @since 1.2.0
 *
 * @param WP_Presence_Store $store   Store, in the revisions' namespace.
 * @param int               $user_id User id.
 * @return int Revisions changed.
 */
function wp_presence_anonymize_screen_revisions_in( WP_Presence_Store $store, $user_id ) {
	$now     = (int) $store->now();
	$changed = 0;
	foreach ( $store->rooms( WP_PRESENCE_SCREEN_ROOM_PREFIX ) as $room ) {
		$entry = $store->get( $room['room'], 'rev' );
		if ( ! $entry || ! is_array( $entry['data'] ) ) {
			continue;
		}
		$data  = $entry['data'];
		$dirty = false;
		if ( isset( $data['u'] ) && (int) $data['u'] === (int) $user_id ) {
			$data['u'] = 0;
			$data['n'] = '';
			$data['p'] = '';
			$dirty     = true;
		}
		if ( isset( $data['o']['u'] ) && (int) $data['o']['u'] === (int) $user_id ) {
			unset( $data['o'] );
			$dirty = true;
		}
		if ( $dirty ) {
			$store->upsert( $room['room'], 'rev', 0, $data, max( 1, (int) $entry['expires'] - $now ) );
			++$changed;
		}
	}
	return $changed;
}

/**
 * Registers `POST /wp-presence/v1/presence/screen-revisions/stale` {screen_key} → {screen_key, rev}.
 *
 * Hooked to `rest_api_init`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_register_screen_route() {
	register_rest_route(
		'wp-presence/v1',
		'/presence/screen-revisions/stale',
		array(
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => 'wp_presence_rest_screen_revision',
				'permission_callback' => 'wp_presence_rest_screen_permission',
				'args'                => array(
					'screen_key' => array(
						'type'              => 'string',
						'required'          => true,
						'maxLength'         => 120,
						'validate_callback' => static function ( $value ) {
							return wp_presence_screen_key_is_valid( $value )
								? true
								: new WP_Error( 'rest_invalid_param', __( 'screen_key must be post:{id}, user:{id}, term:{id}, comment:{id}, options:{settings group}, privacy, network:settings or network:wp_presence.', 'presence' ), array( 'status' => 400 ) );
						},
					),
				),
			),
		)
	);
}

/**
 * Who may view the screen may ask for its revision; anyone else gets core's `rest_forbidden`
 * (401 logged out, 403 otherwise), whether the object exists or not.
 *
 * @since 1.1.0
 *
 * @param WP_REST_Request $request Request.
 * @return true|WP_Error
 */
function wp_presence_rest_screen_permission( $request ) {
	if ( wp_presence_user_can_view_screen( (string) $request['screen_key'] ) ) {
		return true;
	}
	return new WP_Error( 'rest_forbidden', __( 'Sorry, you are not allowed to do that.', 'presence' ), array( 'status' => rest_authorization_required_code() ) );
}

/**
 * The current revision of a screen.
 *
 * @since 1.1.0
 *
 * @param WP_REST_Request $request Request.
 * @return WP_REST_Response|WP_Error
 */
function wp_presence_rest_screen_revision( $request ) {
	$key = (string) $request['screen_key'];
	try {
		$current = wp_presence_screen_revision( $key );
	} catch ( Throwable $e ) {
		return new WP_Error( 'rest_presence_unavailable', __( 'The presence store is not available.', 'presence' ), array( 'status' => 503 ) );
	}
	$response = new WP_REST_Response(
		array(
			'screen_key' => $key,
			'rev'        => $current ? (int) $current['r'] : 0,
		)
	);
	$response->header( 'Cache-Control', 'no-store' );
	return $response;
}
