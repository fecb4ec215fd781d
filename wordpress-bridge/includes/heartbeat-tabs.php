<?php
/**
 * Heartbeat: one tick per user. The leader tab reports the state of every tab of the user
 * (the `tabs` list of the `wp-presence` payload, docs/CONTRACT.md §3); each tab gets the writes
 * and checks a tab of its own would get.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Shape of a tab id: 8 to 16 lower-case letters and digits, nothing around them (`D`: no
 * trailing newline either).
 */
const WP_PRESENCE_TAB_PATTERN = '/^[a-z0-9]{8,16}$/D';

/**
 * How many other tabs one Heartbeat may report.
 *
 * @since 1.2.0
 *
 * @return int
 */
function wp_presence_heartbeat_max_tabs() {
	/**
	 * Filters how many tabs besides its own the leader tab may report in one Heartbeat. Tabs past
	 * the cap are not written (the user stays online through the others).
	 *
	 * @since 1.2.0
	 *
	 * @param int $max Default 16.
	 */
	return max( 0, (int) apply_filters( 'wp_presence_heartbeat_max_tabs', 16 ) );
}

/**
 * The other tabs of a `wp-presence` payload, validated like a payload of their own.
 *
 * Items that are not arrays, have no valid tab id, repeat a tab id, or name the leader's own tab
 * are left out, and so is everything past the cap.
 *
 * @since 1.2.0
 *
 * @param mixed  $payload  The whole `wp-presence` payload.
 * @param string $own_tab  The leader's tab id.
 * @return array[] Parsed pings (see wp_presence_parse_ping()), at most wp_presence_heartbeat_max_tabs().
 */
function wp_presence_parse_tabs( $payload, $own_tab ) {
	if ( ! is_array( $payload ) || empty( $payload['tabs'] ) || ! is_array( $payload['tabs'] ) ) {
		return array();
	}
	$max   = wp_presence_heartbeat_max_tabs();
	$tabs  = array();
	$taken = array( $own_tab => true );
	foreach ( $payload['tabs'] as $item ) {
		if ( count( $tabs ) >= $max ) {
			break;
		}
		// A follower without a screen of its own reports none (not the leader's).
		$ping = is_array( $item ) ? wp_presence_parse_ping( $item, '' ) : null;
		if ( ! $ping || isset( $taken[ $ping['tab'] ] ) ) {
			continue;
		}
		$taken[ $ping['tab'] ] = true;
		$tabs[]                = $ping;
	}
	return $tabs;
}

/**
 * Writes one tab's entries through the one write path (wp_presence_write(): canonical rooms,
 * reserved keys, the hidden namespace, the limits): `admin/online` / `tab-{uid}-{tab}`, and from
 * the edit screen of a post the user may edit, `postType/{type}:{id}` / `editor-{uid}-{tab}`. A
 * tab that left the post it was editing loses its editor entry there at once.
 *
 * @since 1.2.0
 *
 * @param array  $ping      Parsed ping (wp_presence_parse_ping()).
 * @param string $screen_id The screen the tab is on: Heartbeat's own for the sending tab, the one
 *                          a follower reports for itself.
 * @param int    $user_id   User id.
 * @param array  $card      The writer's card, built once per tick.
 * @param bool   $sender    Whether this is the tab that sent the Heartbeat (it is alive), not one
 *                          its payload reports (which may have closed since).
 * @return array ack (hash of the written state, '' when refused), post_room (string|false),
 *               error (an error code, or '').
 */
function wp_presence_write_tab( array $ping, $screen_id, $user_id, array $card, $sender = false ) {
	$ttl       = wp_presence_heartbeat_ttl();
	$post_id   = $ping['post_id'];
	$post_room = wp_presence_ping_post_room( $post_id, $ping['screen'], $screen_id, $user_id );
	if ( $post_id && ! $post_room && ! current_user_can( 'edit_post', $post_id ) ) {
		$post_id = 0; // A post the user may not edit is not even named in the admin room.
	}

	$state = array(
		'screen'   => $ping['screen'],
		'activity' => $ping['activity'],
	);
	if ( $post_id ) {
		$state['post_id'] = $post_id;
	}
	$hash = substr( md5( (string) wp_json_encode( array( $state, $post_room, $card ) ) ), 0, 16 );
	// A new page starts without an ack, so its first tick always writes: that also restores the
	// full TTL of entries a leave beacon shortened (includes/leave.php).
	$may_skip = hash_equals( $hash, $ping['ack'] );
	// The beacon may also land after that first tick (the two race): the sending tab then renews
	// what the beacon shortened on its next tick, as nobody else may. A tab another one reports
	// does not, so the last report of a tab that closed cannot bring it back.
	$args = array(
		'card'     => $card,
		'may_skip' => $may_skip,
		'revive'   => (bool) $sender,
	);
	$out      = array(
		'ack'       => '',
		'post_room' => $post_room,
		'error'     => '',
	);

	$written = wp_presence_write( wp_presence_admin_room(), 'tab-' . $user_id . '-' . $ping['tab'], $user_id, $state, $ttl, $args );
	if ( is_wp_error( $written ) ) {
		$out['error'] = $written->get_error_code();
		return $out;
	}
	$old      = $written['old'];
	$old_post = $old && isset( $old['data']['post_id'] ) ? wp_presence_parse_id( $old['data']['post_id'] ) : 0;
	$old_room = $old_post ? wp_presence_post_room( $old_post ) : false;
	if ( $old_room && $old_room !== $post_room ) {
		wp_presence_remove_entry( $old_room, 'editor-' . $user_id . '-' . $ping['tab'], $user_id );
	}
	if ( $post_room ) {
		/** This filter is documented in includes/heartbeat.php */
		$editor  = apply_filters( 'wp_presence_editor_state', $state, $post_id, $user_id );
		$editor  = is_array( $editor ) ? $editor : $state;
		$written = wp_presence_write( $post_room, 'editor-' . $user_id . '-' . $ping['tab'], $user_id, $editor, $ttl, $args );
		if ( is_wp_error( $written ) ) {
			$out['error'] = $written->get_error_code();
			return $out;
		}
	}
	$out['ack'] = $hash;
	return $out;
}

/**
 * Writes the tab that sent the Heartbeat and every other tab its payload reports.
 *
 * @since 1.2.0
 *
 * @param array  $ping      The sender's parsed ping.
 * @param mixed  $payload   The raw `wp-presence` payload (for its `tabs` list).
 * @param string $screen_id Screen id Heartbeat reports (the sender's).
 * @param int    $user_id   User id.
 * @return array ack, post_room and error of the sender; tabs (tab id => ack of each other tab
 *               written, '' when refused); dashboard (whether any of the tabs shows the dashboard).
 */
function wp_presence_heartbeat_write_tabs( array $ping, $payload, $screen_id, $user_id ) {
	$card      = wp_presence_user_card( $user_id ); // Once per tick, for every tab.
	$own       = wp_presence_write_tab( $ping, $screen_id, $user_id, $card, true );
	$acks      = array();
	$dashboard = 'dashboard' === $ping['screen'];
	foreach ( wp_presence_parse_tabs( $payload, $ping['tab'] ) as $tab ) {
		// A follower's screen is the one it reports (Heartbeat's screen id is the leader's).
		$acks[ $tab['tab'] ] = wp_presence_write_tab( $tab, $tab['screen'], $user_id, $card )['ack'];
		$dashboard           = $dashboard || 'dashboard' === $tab['screen'];
	}
	return array(
		'ack'       => $own['ack'],
		'post_room' => $own['post_room'],
		'error'     => $own['error'],
		'tabs'      => $acks,
		'dashboard' => $dashboard,
	);
}
