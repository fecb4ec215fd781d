<?php
/**
 * Uninstall: drops the SQL table and the bridge's options.
 *
 * @package Presence
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/class-wp-presence-store-sql.php';
WP_Presence_Store_SQL::uninstall();
delete_metadata( 'user', 0, 'wp_presence_preference', '', true );
