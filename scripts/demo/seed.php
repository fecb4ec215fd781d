<?php
/**
 * scripts/demo/seed.php: the demo's people and posts (idempotent).
 *
 * Usage: php seed.php SITE_DIR URL
 *
 * - makes sure `admin` has the password `password`;
 * - creates 40 editors (login = first name in lower case, password `password`) with real names;
 * - creates 12 published posts and 3 drafts, written by those editors;
 * - gives three editors the "Do not disturb" preference (and resets everyone else's);
 * - lays out admin's dashboard with the presence widgets first.
 * Presence itself is written by mover.php.
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 3 ) {
	fwrite( STDERR, "usage: php seed.php SITE_DIR URL\n" );
	exit( 2 );
}
list( , $site, $url ) = $argv;
$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $url );
$_SERVER['REQUEST_URI'] = '/';
require rtrim( $site, '/' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

$names = array(
	'Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Linus Pauling', 'Marie Curie',
	'Tim Berners-Lee', 'Hedy Lamarr', 'Margaret Hamilton', 'Dennis Ritchie', 'Barbara Liskov', 'Ken Thompson',
	'Radia Perlman', 'Donald Knuth', 'Frances Allen', 'John McCarthy', 'Edsger Dijkstra', 'Karen Jones',
	'Shafi Goldwasser', 'Niklaus Wirth', 'Annie Easley', 'Claude Shannon', 'Jean Bartik', 'Bjarne Stroustrup',
	'Sophie Wilson', 'Guido Rossum', 'Mary Keller', 'Leslie Lamport', 'Adele Goldberg', 'Vint Cerf',
	'Lynn Conway', 'Yukihiro Matsumoto', 'Evelyn Berezin', 'Rasmus Lerdorf', 'Joan Clarke', 'Matt Mullenweg',
	'Carol Shaw', 'Ward Cunningham', 'Ida Rhodes', 'Brian Kernighan',
);

$admin = get_user_by( 'login', 'admin' );
if ( $admin && ! wp_check_password( 'password', $admin->user_pass, $admin->ID ) ) {
	wp_set_password( 'password', $admin->ID );
}
if ( $admin ) {
	// The admin's dashboard opens on the presence widgets (no welcome panel, no news feed that
	// cannot load without internet access).
	update_user_meta( $admin->ID, 'show_welcome_panel', 0 );
	update_user_meta(
		$admin->ID,
		'meta-box-order_dashboard',
		array(
			'normal'  => 'wp_presence_online,wp_presence_active_posts,dashboard_activity,dashboard_right_now',
			'side'    => 'dashboard_quick_press,dashboard_site_health,dashboard_primary',
			'column3' => '',
			'column4' => '',
		)
	);
	update_user_meta( $admin->ID, 'metaboxhidden_dashboard', array( 'dashboard_primary', 'dashboard_site_health' ) );
}

$ids = array();
foreach ( $names as $name ) {
	list( $first, $last ) = explode( ' ', $name, 2 );
	$login = strtolower( $first );
	$user  = get_user_by( 'login', $login );
	if ( ! $user ) {
		$uid = wp_insert_user(
			array(
				'user_login'   => $login,
				'user_pass'    => 'password',
				'user_email'   => $login . '@example.org',
				'first_name'   => $first,
				'last_name'    => $last,
				'display_name' => $name,
				'role'         => 'editor',
			)
		);
		if ( is_wp_error( $uid ) ) {
			fwrite( STDERR, "seed: $login: " . $uid->get_error_message() . "\n" );
			exit( 1 );
		}
		$user = get_user_by( 'id', $uid );
	}
	$ids[] = (int) $user->ID;
}

$titles = array(
	'Release notes for 7.2', 'Accessibility audit results', 'How we moved to the block editor',
	'Meet the support team', 'Quarterly community update', 'Security hardening checklist',
	'Photo essay: WordCamp', 'Performance budget for themes', 'Writing great alt text',
	'Contributor day recap', 'A guide to presence', 'Roadmap: what comes next',
	'Draft: holiday schedule', 'Draft: style guide v2', 'Draft: interview with a core committer',
);
$existing = get_posts(
	array(
		'post_type'      => 'post',
		'post_status'    => array( 'publish', 'draft' ),
		'meta_key'       => '_presence_demo',
		'fields'         => 'ids',
		'posts_per_page' => -1,
	)
);
if ( count( $existing ) < count( $titles ) ) {
	foreach ( $titles as $i => $title ) {
		if ( get_page_by_path( sanitize_title( $title ), OBJECT, 'post' ) ) {
			continue;
		}
		wp_insert_post(
			array(
				'post_title'   => $title,
				'post_name'    => sanitize_title( $title ),
				'post_content' => "<!-- wp:paragraph -->\n<p>Demo content for \"$title\".</p>\n<!-- /wp:paragraph -->",
				'post_status'  => 0 === strpos( $title, 'Draft:' ) ? 'draft' : 'publish',
				'post_author'  => $ids[ $i % count( $ids ) ],
				'meta_input'   => array( '_presence_demo' => 1 ),
			)
		);
	}
}

// Three editors prefer "Do not disturb" (the mover toggles it now and then).
if ( function_exists( 'wp_set_user_presence_preference' ) ) {
	foreach ( $ids as $n => $uid ) {
		wp_set_user_presence_preference( $uid, in_array( $n, array( 4, 17, 29 ), true ) ? 'dnd' : '' );
	}
}
fwrite( STDERR, sprintf( "seed: admin + %d editors, %d demo posts\n", count( $ids ), count( $titles ) ) );
