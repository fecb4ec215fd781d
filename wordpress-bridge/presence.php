<?php
/**
 * Plugin Name:       Presence (native store)
 * Plugin URI:        https://github.com/WordPress/presence-api
 * Description:       Who is online and who is editing what, stored in the presence PHP extension's shared memory (SQL fallback). A drop-in for the presence-api plugin's public functions.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * Author:            Presence contributors
 * License:           GPL-2.0-or-later
 * Text Domain:       presence
 * Network:           true
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/*
 * The plugin is in includes/load.php. WordPress reads up to 8 KB of this file on every request
 * (get_plugin_data() as it loads the active plugins) and runs one regex per header field over
 * all of it, so this file holds little more than its header.
 */
require_once __DIR__ . '/includes/load.php';
