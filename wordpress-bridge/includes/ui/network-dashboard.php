<?php
/**
 * Network Admin: the network Who's Online widget and the "Online" columns of the network Sites
 * and Users lists. Everything renders from wp_presence_network_overview() and
 * wp_presence_network_counts(), and needs the network capability.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sites the network widget lists.
 *
 * @return int
 */
function wp_presence_ui_network_widget_sites() {
	/**
	 * Filters how many sites the network Who's Online widget lists.
	 *
	 * @since 1.3.0
	 *
	 * @param int $sites Default 10.
	 */
	return min( 100, max( 1, (int) apply_filters( 'wp_presence_network_widget_sites', 10 ) ) );
}

/**
 * Registers the network widget (Network Admin → Dashboard).
 *
 * @return void
 */
function wp_presence_ui_network_dashboard_setup() {
	if ( ! wp_presence_ui_api_available() || ! wp_presence_can_see_network() ) {
		return;
	}
	wp_add_dashboard_widget( 'wp_presence_network_online', __( "Who's Online on the Network", 'presence' ), 'wp_presence_ui_network_widget' );
}

/**
 * A site's faces: avatars with status dots, at most `$max`, then "+N". Each face carries the
 * user's name for the avatar fallback's initials (the page's list of names only holds the
 * current site's users).
 *
 * @param array[] $rows Normalised rows.
 * @param int     $max  Faces to show.
 * @return string HTML.
 */
function wp_presence_ui_network_faces_html( array $rows, $max = 5 ) {
	$html = '<span class="wp-presence-stack">';
	foreach ( array_slice( $rows, 0, $max ) as $row ) {
		$id    = 'data-user-id="' . (int) $row['user_id'] . '"';
		$html .= preg_replace( '/' . preg_quote( $id, '/' ) . '/', $id . ' data-display-name="' . esc_attr( $row['display_name'] ) . '"', wp_presence_ui_avatar_html( $row, 24 ), 1 );
	}
	$more = count( $rows ) - min( count( $rows ), $max );
	if ( $more > 0 ) {
		$html .= sprintf(
			'<span class="wp-presence-stack__more">%s</span>',
			/* translators: %s: number of users not shown. */
			esc_html( sprintf( __( '+%s', 'presence' ), number_format_i18n( $more ) ) )
		);
	}
	return $html . '</span>';
}

/**
 * The network widget's HTML.
 *
 * @param array $overview From wp_presence_network_overview().
 * @return string HTML.
 */
function wp_presence_ui_network_widget_html( array $overview ) {
	$html = '<div class="wp-presence-widget wp-presence-network" data-wp-presence-widget="network">';
	if ( ! $overview['sites'] ) {
		$html .= '<p class="wp-presence-empty">' . esc_html__( 'Nobody is online on the network right now.', 'presence' ) . '</p>';
		return $html . '</div>';
	}
	if ( $overview['aggregating'] ) {
		$html .= '<p class="wp-presence-summary">' . esc_html(
			sprintf(
				/* translators: 1: number of users online, 2: number of sites they are on. */
				_n( '%1$s user online on %2$s site', '%1$s users online on %2$s sites', $overview['total'], 'presence' ),
				number_format_i18n( $overview['users_online'] ),
				number_format_i18n( $overview['total'] )
			)
		) . '</p>';
	} else {
		$html .= '<p class="wp-presence-summary">' . esc_html__( 'This network is large: only the first sites are counted.', 'presence' ) . '</p>';
	}
	$html .= '<ul class="wp-presence-list wp-presence-network__sites">';
	foreach ( $overview['sites'] as $site ) {
		$rows = array();
		foreach ( $site['users'] as $user ) {
			$rows[] = wp_presence_ui_normalize_row( $user );
		}
		$html .= sprintf(
			'<li class="wp-presence-network__site" data-blog-id="%1$d"><a class="wp-presence-network__name" href="%2$s">%3$s</a> <span class="wp-presence-network__count">%4$s</span> %5$s</li>',
			(int) $site['blog_id'],
			esc_url( get_admin_url( $site['blog_id'] ) ),
			esc_html( '' !== $site['name'] ? $site['name'] : $site['domain'] . $site['path'] ),
			esc_html(
				/* translators: %s: number of users online. */
				sprintf( _n( '%s online', '%s online', $site['user_count'], 'presence' ), number_format_i18n( $site['user_count'] ) )
			),
			wp_presence_ui_network_faces_html( $rows, 5 )
		);
	}
	$html .= '</ul>';
	$more  = $overview['total'] - count( $overview['sites'] );
	if ( $overview['aggregating'] && $more > 0 ) {
		$html .= '<p class="wp-presence-more">' . esc_html(
			/* translators: %s: number of further sites with people online. */
			sprintf( _n( '+%s more site', '+%s more sites', $more, 'presence' ), number_format_i18n( $more ) )
		) . '</p>';
	}
	return $html . '</div>';
}

/**
 * Prints the network widget.
 *
 * @return void
 */
function wp_presence_ui_network_widget() {
	$overview = wp_presence_network_overview(
		array(
			'per_page'       => wp_presence_ui_network_widget_sites(),
			'users_per_site' => 5,
		)
	);
	echo wp_presence_ui_network_widget_html( $overview ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Escaped while built.
}

/**
 * Counts of the sites a list shows, once per request: every site when aggregating, else the
 * site asked about.
 *
 * @param int $blog_id Site.
 * @return array[] By blog id (see wp_presence_network_counts()).
 */
function wp_presence_ui_network_counts_for( $blog_id ) {
	static $counts = null;
	if ( null === $counts ) {
		$counts = array();
		if ( wp_presence_network_aggregation_enabled() ) {
			$counts = wp_presence_network_counts( array_map( 'intval', get_sites( wp_presence_network_sites_query( array( 'fields' => 'ids', 'number' => 0 ) ) ) ) );
		}
	}
	if ( $blog_id > 0 && ! isset( $counts[ $blog_id ] ) ) {
		$counts += wp_presence_network_counts( array( (int) $blog_id ) );
	}
	return $counts;
}

/**
 * Adds "Online" to the network Sites list.
 *
 * @param array<string,string> $columns Columns.
 * @return array<string,string>
 */
function wp_presence_ui_network_sites_columns( $columns ) {
	if ( wp_presence_ui_api_available() && wp_presence_can_see_network() ) {
		$columns['wp_presence_online'] = __( 'Online', 'presence' );
	}
	return $columns;
}

/**
 * Prints a site's "Online" cell: how many users are online there.
 *
 * @param string $column  Column key.
 * @param int    $blog_id Site.
 * @return void
 */
function wp_presence_ui_network_sites_column( $column, $blog_id ) {
	if ( 'wp_presence_online' !== $column || ! wp_presence_can_see_network() ) {
		return;
	}
	$counts = wp_presence_ui_network_counts_for( (int) $blog_id );
	$n      = isset( $counts[ (int) $blog_id ] ) ? count( $counts[ (int) $blog_id ]['users'] ) : 0;
	echo '<span class="wp-presence-network__count" data-online="' . (int) $n . '">' . esc_html( number_format_i18n( $n ) ) . '</span>';
}

/**
 * Adds "Online" to the network Users list (only when the network is counted as a whole).
 *
 * @param array<string,string> $columns Columns.
 * @return array<string,string>
 */
function wp_presence_ui_network_users_columns( $columns ) {
	if ( wp_presence_ui_api_available() && wp_presence_can_see_network() && wp_presence_network_aggregation_enabled() ) {
		$columns['wp_presence_online'] = __( 'Online', 'presence' );
	}
	return $columns;
}

/**
 * Fills a user's "Online" cell in the network Users list: the sites the user is online on.
 *
 * @param string $output  Cell HTML so far.
 * @param string $column  Column key.
 * @param int    $user_id User.
 * @return string
 */
function wp_presence_ui_network_users_column( $output, $column, $user_id ) {
	if ( 'wp_presence_online' !== $column || ! is_network_admin() || ! wp_presence_can_see_network() ) {
		return $output;
	}
	static $sites_of = null;
	if ( null === $sites_of ) {
		$sites_of = array();
		foreach ( wp_presence_ui_network_counts_for( 0 ) as $blog_id => $c ) {
			foreach ( $c['users'] as $uid ) {
				$sites_of[ $uid ][] = $blog_id;
			}
		}
	}
	$sites = isset( $sites_of[ (int) $user_id ] ) ? $sites_of[ (int) $user_id ] : array();
	if ( ! $sites ) {
		return wp_presence_ui_status_html( 'offline' );
	}
	$names = array();
	foreach ( $sites as $blog_id ) {
		$site    = get_site( $blog_id );
		$names[] = $site ? $site->domain . $site->path : (string) $blog_id;
	}
	return '<span class="wp-presence-network__user" data-online-sites="' . esc_attr( implode( ',', $sites ) ) . '">' . esc_html( implode( ', ', $names ) ) . '</span>';
}
