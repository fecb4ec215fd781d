<?php
/**
 * WP-CLI: `wp presence list|summary|set|cleanup|stats`.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Inspects and manages presence from the command line.
 *
 * @since 1.0.0
 */
class WP_Presence_CLI_Command {

	/**
	 * Lists the entries of a room, as the command's user (`--user`) sees them, or as the
	 * operator (every room; hidden users' entries are not listed, as for everyone else).
	 *
	 * ## OPTIONS
	 *
	 * <room>
	 * : Room, e.g. admin/online or postType/post:12.
	 *
	 * [--format=<format>]
	 * : table, json, csv, yaml or count.
	 * ---
	 * default: table
	 * ---
	 *
	 * @subcommand list
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function list_( $args, $assoc_args ) {
		$room = (string) $args[0];
		if ( false === wp_presence_room_kind( $room ) ) {
			\WP_CLI::error( sprintf( '%s is not a room: spell interpreted rooms exactly as admin/online and postType/{post_type}:{post_id}.', $room ) );
			return;
		}
		$items = array();
		foreach ( WP_Presence_View::command_line()->items( $room ) as $item ) {
			$items[] = array(
				'room'      => $item['room'],
				'client_id' => $item['client_id'],
				'user_id'   => (string) $item['user_id'],
				'date_gmt'  => $item['date_gmt'],
				'data'      => wp_json_encode( $item['data'] ),
			);
		}
		$format = isset( $assoc_args['format'] ) ? (string) $assoc_args['format'] : 'table';
		\WP_CLI\Utils\format_items( $format, $items, array( 'room', 'client_id', 'user_id', 'date_gmt', 'data' ) );
	}

	/**
	 * Summarises live rooms: entries and distinct users per room, as `list` sees them (hidden
	 * users are not counted).
	 *
	 * ## OPTIONS
	 *
	 * [--network]
	 * : One row per site of the network instead (rooms, entries, users).
	 *
	 * [--format=<format>]
	 * : table, json, csv, yaml or count.
	 * ---
	 * default: table
	 * ---
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function summary( $args, $assoc_args ) {
		$format = isset( $assoc_args['format'] ) ? (string) $assoc_args['format'] : 'table';
		if ( ! empty( $assoc_args['network'] ) ) {
			\WP_CLI\Utils\format_items( $format, wp_presence_network_summary( 100, true ), array( 'blog_id', 'url', 'rooms', 'entries', 'users' ) );
			return;
		}
		$items = array();
		foreach ( WP_Presence_View::command_line()->rooms( '' ) as $room ) {
			$items[] = array(
				'room'    => $room['room'],
				'entries' => $room['entries'],
				'users'   => count( $room['users'] ),
				'updated' => gmdate( 'Y-m-d H:i:s', $room['updated'] ),
			);
		}
		\WP_CLI\Utils\format_items( $format, $items, array( 'room', 'entries', 'users', 'updated' ) );
		if ( 'table' === $format ) {
			\WP_CLI::log( sprintf( 'Backend: %s (%s)', wp_presence_backend(), wp_presence_store()->get_namespace() ) );
		}
	}

	/**
	 * Writes an entry with the default TTL.
	 *
	 * ## OPTIONS
	 *
	 * <room>
	 * : Room.
	 *
	 * [<client_id>]
	 * : Client id; cli-{user} by default.
	 *
	 * [--data=<json>]
	 * : JSON object to store.
	 *
	 * [--user=<id>]
	 * : Owner of the entry (WP-CLI's global --user also works).
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function set( $args, $assoc_args ) {
		$room    = (string) $args[0];
		$user_id = isset( $assoc_args['user'] ) ? (int) $assoc_args['user'] : get_current_user_id();
		$client  = isset( $args[1] ) ? (string) $args[1] : 'cli-' . $user_id;
		$data    = array();
		if ( isset( $assoc_args['data'] ) ) {
			$data = json_decode( (string) $assoc_args['data'], true );
			if ( ! is_array( $data ) ) {
				\WP_CLI::error( '--data must be a JSON object.' );
				return;
			}
		}
		if ( ! isset( $data['screen'] ) ) {
			$data['screen'] = 'cli';
		}
		$written = wp_presence_write( $room, $client, $user_id, $data, wp_presence_default_ttl() );
		if ( is_wp_error( $written ) ) {
			\WP_CLI::error( sprintf( 'Could not write %s / %s: %s', $room, $client, $written->get_error_message() ) );
			return;
		}
		\WP_CLI::success( sprintf( 'Set %s / %s.', $room, $client ) );
	}

	/**
	 * Removes expired entries (all sites), or every entry of this site with --all.
	 *
	 * ## OPTIONS
	 *
	 * [--all]
	 * : Remove every entry of this site, live ones included (asks first).
	 *
	 * [--yes]
	 * : Answer yes to the question of --all (presence-api's `cleanup --yes`).
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function cleanup( $args, $assoc_args ) {
		if ( ! empty( $assoc_args['all'] ) ) {
			\WP_CLI::confirm( 'Remove every presence entry of this site, live ones included?', $assoc_args );
			$n = wp_presence_clear_site();
			\WP_CLI::success( sprintf( 'Removed %d entries of this site.', $n ) );
			return;
		}
		$n = wp_presence_store()->sweep();
		\WP_CLI::success( sprintf( 'Removed %d expired entries.', $n ) );
	}

	/**
	 * Shows the backend and its raw statistics (for operators: the counts cover the whole store,
	 * every namespace included).
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : table, json, csv or yaml.
	 * ---
	 * default: table
	 * ---
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function stats( $args, $assoc_args ) {
		$items = array(
			array(
				'key'   => 'backend',
				'value' => wp_presence_backend(),
			),
			array(
				'key'   => 'reason',
				'value' => wp_presence_backend_reason(),
			),
		);
		foreach ( wp_presence_store()->stats() as $key => $value ) {
			$items[] = array(
				'key'   => (string) $key,
				'value' => is_scalar( $value ) ? (string) $value : wp_json_encode( $value ),
			);
		}
		$format = isset( $assoc_args['format'] ) ? (string) $assoc_args['format'] : 'table';
		\WP_CLI\Utils\format_items( $format, $items, array( 'key', 'value' ) );
	}
}
