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
	 * Presence across the network (multisite): totals, the sites with people online, or one
	 * site's users. Runs as the operator without --user, else needs the network capability.
	 *
	 * ## OPTIONS
	 *
	 * [--site=<id>]
	 * : One site's online users.
	 *
	 * [--sites]
	 * : One row per site with people online, busiest first.
	 *
	 * [--users-per-site=<n>]
	 * : Users named per site with --sites (0 to 100).
	 * ---
	 * default: 5
	 * ---
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
	public function network( $args, $assoc_args ) {
		if ( ! is_multisite() ) {
			\WP_CLI::error( 'This is not a multisite network.' );
			return;
		}
		$format   = isset( $assoc_args['format'] ) ? (string) $assoc_args['format'] : 'table';
		$per_site = isset( $assoc_args['users-per-site'] ) ? $assoc_args['users-per-site'] : 5;
		if ( ! is_numeric( $per_site ) || (int) $per_site < 0 || (int) $per_site > 100 ) {
			\WP_CLI::error( '--users-per-site must be a number from 0 to 100.' );
			return;
		}
		if ( 0 !== get_current_user_id() && ! wp_presence_can_see_network() ) {
			\WP_CLI::error( 'This user may not see presence across the network.' );
			return;
		}
		if ( isset( $assoc_args['site'] ) ) {
			$blog_id  = is_numeric( $assoc_args['site'] ) ? (int) $assoc_args['site'] : 0;
			$overview = $blog_id > 0 ? wp_presence_network_overview(
				array(
					'blog_ids'       => array( $blog_id ),
					'users_per_site' => 100,
					'operator'       => true,
				)
			) : array( 'sites' => array() );
			if ( ! $overview['sites'] ) {
				\WP_CLI::error( sprintf( 'No site of this network has the id %s.', (string) $assoc_args['site'] ) );
				return;
			}
			\WP_CLI\Utils\format_items( $format, $overview['sites'][0]['users'], array( 'user_id', 'display_name', 'status' ) );
			return;
		}
		if ( ! empty( $assoc_args['sites'] ) ) {
			$items = array();
			$page  = 1;
			do {
				$overview = wp_presence_network_overview(
					array(
						'page'           => $page,
						'per_page'       => 100,
						'users_per_site' => (int) $per_site,
						'operator'       => true,
					)
				);
				foreach ( $overview['sites'] as $site ) {
					$items[] = array(
						'blog_id'    => $site['blog_id'],
						'url'        => $site['url'],
						'user_count' => $site['user_count'],
						'users'      => implode( ', ', wp_list_pluck( $site['users'], 'display_name' ) ),
					);
				}
				++$page;
			} while ( $overview['aggregating'] && ( $page - 1 ) * 100 < $overview['total'] );
			\WP_CLI\Utils\format_items( $format, $items, array( 'blog_id', 'url', 'user_count', 'users' ) );
			return;
		}
		$overview = wp_presence_network_overview(
			array(
				'per_page'       => 1,
				'users_per_site' => 0,
				'operator'       => true,
			)
		);
		\WP_CLI\Utils\format_items(
			$format,
			array(
				array(
					'users_online' => $overview['users_online'],
					'sites_online' => $overview['aggregating'] ? $overview['total'] : '',
					'aggregating'  => $overview['aggregating'] ? 'yes' : 'no',
				),
			),
			array( 'users_online', 'sites_online', 'aggregating' )
		);
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
	 * Shows the store's use on one row: the README's `php -r` one-liners as a command. Entries
	 * and payload against capacity, rooms, lock recoveries, refused writes, whether the segment
	 * keeps another geometry than the ini settings ask for, and the backend (the counts cover the
	 * whole store, every namespace included; capacity columns are empty on SQL and Redis).
	 *
	 * ## OPTIONS
	 *
	 * [--raw]
	 * : Every statistic of the backend instead, one key and value a row.
	 *
	 * [--check]
	 * : Exit with an error above 90% of entries or payload memory, or once any write was refused.
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
		$format = isset( $assoc_args['format'] ) ? (string) $assoc_args['format'] : 'table';
		$stats  = wp_presence_store()->stats();
		if ( ! empty( $assoc_args['raw'] ) ) {
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
			foreach ( $stats as $key => $value ) {
				$items[] = array(
					'key'   => (string) $key,
					'value' => is_scalar( $value ) ? (string) $value : wp_json_encode( $value ),
				);
			}
			\WP_CLI\Utils\format_items( $format, $items, array( 'key', 'value' ) );
			return;
		}
		$row = self::stats_row( $stats );
		\WP_CLI\Utils\format_items( $format, array( $row ), array_keys( $row ) );
		if ( ! empty( $assoc_args['check'] ) ) {
			$used = max( (float) $row['entries_used_pct'], (float) $row['payload_used_pct'] );
			if ( $used > 90 || (int) $row['refusals'] > 0 ) {
				\WP_CLI::error( sprintf( 'presence %d%% used, %d refusals, %d recoveries', (int) $used, (int) $row['refusals'], (int) $row['recoveries'] ) );
			}
		}
	}

	/**
	 * The one row of `wp presence stats` from a store's statistics.
	 *
	 * @param array $s Statistics (presence_stats() on the extension).
	 * @return array
	 */
	private static function stats_row( array $s ) {
		$pct = static function ( $used, $of ) {
			return $of > 0 ? round( 100 * $used / $of, 1 ) : '';
		};
		$get = static function ( $key ) use ( $s ) {
			return isset( $s[ $key ] ) && is_scalar( $s[ $key ] ) ? $s[ $key ] : '';
		};
		return array(
			'backend'           => wp_presence_backend(),
			'entries'           => (int) $get( 'entries' ),
			'capacity'          => $get( 'capacity' ),
			'entries_used_pct'  => '' === $get( 'capacity' ) ? '' : $pct( (int) $get( 'entries' ), (int) $get( 'capacity' ) ),
			'payload_bytes'     => $get( 'bytes_used' ),
			'payload_capacity'  => $get( 'bytes_capacity' ),
			'payload_used_pct'  => '' === $get( 'bytes_capacity' ) ? '' : $pct( (int) $get( 'bytes_used' ), (int) $get( 'bytes_capacity' ) ),
			'rooms'             => $get( 'rooms' ),
			'recoveries'        => (int) $get( 'lock_recoveries' ),
			'refusals'          => (int) $get( 'full_refusals' ),
			'geometry_mismatch' => ! empty( $s['geometry_mismatch'] ) ? 'yes' : 'no',
		);
	}
}
