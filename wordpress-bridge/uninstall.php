<?php
/**
 * Uninstall: removes the tables, options, user meta, cron events and stored presence of every
 * site (WP_Presence_Uninstaller). The plugin is inactive here: nothing of it is loaded.
 *
 * @package Presence
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/class-wp-presence-uninstaller.php';
WP_Presence_Uninstaller::run();
