<?php
/**
 * Site owners' settings: the recording switch on Settings → General and on the network's
 * Settings screen, the Settings → Presence page's options, and the idle and away times fed to
 * the UI script.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Site option: seconds without input before a tab is idle.
 */
const WP_PRESENCE_IDLE_OPTION = 'wp_presence_idle_after';

/**
 * Site option: seconds without input before a tab is away.
 */
const WP_PRESENCE_AWAY_OPTION = 'wp_presence_away_after';

/**
 * Option group (and page slug) of Settings → Presence.
 */
const WP_PRESENCE_SETTINGS_GROUP = 'wp_presence';

/**
 * Accepted ranges, in seconds, of the idle and away times.
 *
 * @since 1.1.0
 *
 * @return array[] Option => array( min, max, default ).
 */
function wp_presence_time_ranges() {
	return array(
		WP_PRESENCE_IDLE_OPTION => array( 10, 3600, 60 ),
		WP_PRESENCE_AWAY_OPTION => array( 30, 86400, 300 ),
	);
}

/**
 * The bridge's site options and their defaults, in the order the settings form saves them.
 *
 * @since 1.1.0
 *
 * @return array Option => default.
 */
function wp_presence_site_option_defaults() {
	$ranges = wp_presence_time_ranges();
	return array(
		WP_PRESENCE_RECORDING_OPTION => '1',
		WP_PRESENCE_FEATURES_OPTION  => wp_presence_feature_defaults(),
		WP_PRESENCE_IDLE_OPTION      => $ranges[ WP_PRESENCE_IDLE_OPTION ][2],
		WP_PRESENCE_AWAY_OPTION      => $ranges[ WP_PRESENCE_AWAY_OPTION ][2],
	);
}

/**
 * Registers the settings: the recording switch on General and on the Presence page, the feature
 * switches and the times on the Presence page.
 *
 * Hooked to `init` (the settings must be registered before options.php saves them, and for
 * the REST settings endpoint). A Heartbeat tick saves no setting and lists none, so there they
 * are registered only when something reads a missing option's default or saves one
 * (wp_presence_register_settings_on_demand()).
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_register_settings() {
	if ( wp_presence_is_heartbeat_request() ) {
		foreach ( array_keys( wp_presence_site_option_defaults() ) as $option ) {
			// Priority 9: before the default and sanitize filters (10) register_setting() adds.
			add_filter( 'default_option_' . $option, 'wp_presence_register_settings_on_demand', 9 );
			add_filter( 'sanitize_option_' . $option, 'wp_presence_register_settings_on_demand', 9 );
		}
		return;
	}
	wp_presence_register_settings_now();
}

/**
 * Registers the settings the first time a Heartbeat tick reads a missing option's default or
 * saves one of them, so that the value is what it is on any other request. The filters
 * register_setting() adds at priority 10 run in the same apply_filters() call.
 *
 * @since 1.4.0
 *
 * @param mixed $value The filtered value, unchanged.
 * @return mixed
 */
function wp_presence_register_settings_on_demand( $value ) {
	if ( ! isset( get_registered_settings()[ WP_PRESENCE_RECORDING_OPTION ] ) ) {
		wp_presence_register_settings_now();
	}
	return $value;
}

/**
 * register_setting() for each of the bridge's settings.
 *
 * @since 1.4.0
 *
 * @return void
 */
function wp_presence_register_settings_now() {
	$recording = array(
		'type'              => 'string',
		'description'       => __( 'Whether presence is recorded on this site.', 'presence' ),
		'sanitize_callback' => 'wp_presence_sanitize_switch',
		'default'           => '1',
		'show_in_rest'      => false,
	);
	register_setting( 'general', WP_PRESENCE_RECORDING_OPTION, $recording );
	register_setting( WP_PRESENCE_SETTINGS_GROUP, WP_PRESENCE_RECORDING_OPTION, $recording );
	register_setting(
		WP_PRESENCE_SETTINGS_GROUP,
		WP_PRESENCE_FEATURES_OPTION,
		array(
			'type'              => 'object',
			'description'       => __( 'Presence feature switches.', 'presence' ),
			'sanitize_callback' => 'wp_presence_sanitize_features',
			'default'           => wp_presence_feature_defaults(),
			'show_in_rest'      => false,
		)
	);
	foreach ( wp_presence_time_ranges() as $option => $range ) {
		register_setting(
			WP_PRESENCE_SETTINGS_GROUP,
			$option,
			array(
				'type'              => 'integer',
				'sanitize_callback' => WP_PRESENCE_IDLE_OPTION === $option ? 'wp_presence_sanitize_idle_after' : 'wp_presence_sanitize_away_after',
				'default'           => $range[2],
				'show_in_rest'      => false,
			)
		);
	}
}

/**
 * A checkbox value as '1' or '0'.
 *
 * @since 1.1.0
 *
 * @param mixed $value Submitted value (null when the box was unticked).
 * @return string
 */
function wp_presence_sanitize_switch( $value ) {
	if ( is_string( $value ) ) {
		$value = strtolower( trim( $value ) );
		return in_array( $value, array( '1', 'on', 'yes', 'true' ), true ) ? '1' : '0';
	}
	return ( true === $value || 1 === $value ) ? '1' : '0';
}

/**
 * The feature switches: exactly the known features, each a bool (an unticked box is off).
 *
 * @since 1.1.0
 *
 * @param mixed $value Submitted value: feature => '1'.
 * @return bool[]
 */
function wp_presence_sanitize_features( $value ) {
	$value = is_array( $value ) ? $value : array();
	$clean = array();
	foreach ( array_keys( wp_presence_feature_defaults() ) as $feature ) {
		$clean[ $feature ] = isset( $value[ $feature ] ) && '1' === wp_presence_sanitize_switch( $value[ $feature ] );
	}
	return $clean;
}

/**
 * A time in seconds within its range; otherwise the stored value stays, with an error saying
 * the accepted range.
 *
 * @since 1.1.0
 *
 * @param string $option Option.
 * @param mixed  $value  Submitted value.
 * @param int    $min    Smallest accepted value.
 * @return int
 */
function wp_presence_sanitize_seconds( $option, $value, $min ) {
	$ranges  = wp_presence_time_ranges();
	$max     = $ranges[ $option ][1];
	$current = (int) wp_presence_autoloaded_option( $option, $ranges[ $option ][2] );
	$raw     = is_scalar( $value ) ? trim( (string) $value ) : '';
	if ( ! preg_match( '/^\d{1,6}$/', $raw ) || (int) $raw < $min || (int) $raw > $max ) {
		if ( function_exists( 'add_settings_error' ) ) {
			add_settings_error(
				$option,
				$option . '_range',
				sprintf(
					/* translators: 1: field label, 2: smallest accepted number of seconds, 3: largest. */
					__( '%1$s must be a whole number of seconds from %2$d to %3$d; the previous value was kept.', 'presence' ),
					WP_PRESENCE_IDLE_OPTION === $option ? __( 'Idle after', 'presence' ) : __( 'Away after', 'presence' ),
					$min,
					$max
				)
			);
		}
		return $current;
	}
	return (int) $raw;
}

/**
 * Sanitises the idle time.
 *
 * @since 1.1.0
 *
 * @param mixed $value Submitted value.
 * @return int
 */
function wp_presence_sanitize_idle_after( $value ) {
	$ranges = wp_presence_time_ranges();
	return wp_presence_sanitize_seconds( WP_PRESENCE_IDLE_OPTION, $value, $ranges[ WP_PRESENCE_IDLE_OPTION ][0] );
}

/**
 * Sanitises the away time, which must also be longer than the idle time (saved just before it).
 *
 * @since 1.1.0
 *
 * @param mixed $value Submitted value.
 * @return int
 */
function wp_presence_sanitize_away_after( $value ) {
	$ranges = wp_presence_time_ranges();
	$idle   = (int) wp_presence_autoloaded_option( WP_PRESENCE_IDLE_OPTION, $ranges[ WP_PRESENCE_IDLE_OPTION ][2] );
	return wp_presence_sanitize_seconds( WP_PRESENCE_AWAY_OPTION, $value, max( $ranges[ WP_PRESENCE_AWAY_OPTION ][0], $idle + 1 ) );
}

/**
 * Feeds the saved idle time to `wp_presence_idle_after` (which the UI script reads).
 *
 * Hooked at priority 5, so code filtering at the default priority still has the last word.
 *
 * @since 1.1.0
 *
 * @param int $seconds Default.
 * @return int
 */
function wp_presence_filter_idle_after( $seconds ) {
	return (int) wp_presence_autoloaded_option( WP_PRESENCE_IDLE_OPTION, $seconds );
}

/**
 * Feeds the saved away time to `wp_presence_away_after`.
 *
 * @since 1.1.0
 *
 * @param int $seconds Default.
 * @return int
 */
function wp_presence_filter_away_after( $seconds ) {
	return (int) wp_presence_autoloaded_option( WP_PRESENCE_AWAY_OPTION, $seconds );
}

/**
 * Keeps the bridge's site options in the autoloaded set, where the per-tick checks read them
 * without a query: an option saved without autoload (by another tool) is switched to autoload.
 *
 * Hooked to `admin_init`; admin page loads only (not Ajax), and only while one is missing from
 * the autoloaded set, so it costs nothing once done.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_settings_autoload() {
	if ( wp_doing_ajax() ) {
		return;
	}
	$all = wp_load_alloptions();
	foreach ( wp_presence_site_option_defaults() as $option => $default ) {
		if ( array_key_exists( $option, $all ) ) {
			continue;
		}
		if ( ! add_option( $option, $default, '', true ) ) {
			// It exists, outside the autoloaded set.
			if ( function_exists( 'wp_set_option_autoload' ) ) {
				wp_set_option_autoload( $option, true );
			} else {
				$value = get_option( $option );
				delete_option( $option );
				add_option( $option, $value, '', true );
			}
		}
	}
}

/**
 * Activation: the options, autoloaded, with their defaults (existing values are kept).
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_settings_activate() {
	foreach ( wp_presence_site_option_defaults() as $option => $default ) {
		add_option( $option, $default, '', true );
	}
}

/**
 * Adds the recording checkbox to Settings → General and the Presence settings page's fields.
 *
 * Hooked to `admin_init`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_settings_fields() {
	if ( wp_presence_is_heartbeat_request() ) {
		return; // No settings screen is rendered on a tick (admin_init runs on admin-ajax.php).
	}
	add_settings_field(
		WP_PRESENCE_RECORDING_OPTION,
		__( 'Presence', 'presence' ),
		'wp_presence_render_recording_field',
		'general',
		'default',
		array( 'label_for' => WP_PRESENCE_RECORDING_OPTION )
	);
	WP_Presence_Settings_Page::add_fields();
}

/**
 * The recording checkbox (Settings → General and Settings → Presence).
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_render_recording_field() {
	printf(
		'<input type="hidden" name="%1$s" value="0" /><label><input type="checkbox" id="%1$s" name="%1$s" value="1" %2$s /> %3$s</label>',
		esc_attr( WP_PRESENCE_RECORDING_OPTION ),
		checked( wp_presence_site_recording_switch(), true, false ),
		esc_html__( 'Record who is online and what they are editing', 'presence' )
	);
	echo '<p class="description">' . esc_html__( 'Turning this off removes the presence stored for this site, and nothing is recorded or shown until it is turned back on.', 'presence' ) . '</p>';
	if ( ! wp_presence_network_recording_switch() ) {
		echo '<p class="description"><strong>' . esc_html__( 'Presence recording is turned off for the whole network by its administrator.', 'presence' ) . '</strong></p>';
	}
}

/**
 * The network switch on Network Admin → Settings.
 *
 * Hooked to `wpmu_options`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_render_network_settings() {
	if ( ! current_user_can( 'manage_network_options' ) ) {
		return;
	}
	echo '<h2>' . esc_html__( 'Presence', 'presence' ) . '</h2>';
	wp_presence_render_network_recording_table();
}

/**
 * The network switch's form table (Network Admin → Settings, and its Presence page).
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_render_network_recording_table() {
	echo '<table class="form-table" role="presentation"><tr><th scope="row">' . esc_html__( 'Recording', 'presence' ) . '</th><td>';
	printf(
		'<label><input type="checkbox" id="%1$s" name="%1$s" value="1" %2$s /> %3$s</label>',
		esc_attr( WP_PRESENCE_NETWORK_RECORDING_OPTION ),
		checked( wp_presence_network_recording_switch(), true, false ),
		esc_html__( 'Record who is online and what they are editing on the sites of this network', 'presence' )
	);
	echo '<p class="description">' . esc_html__( 'Turning this off removes the presence stored for every site of the network; no site records presence until it is turned back on. Each site also has its own switch (Settings → Presence).', 'presence' ) . '</p>';
	echo '</td></tr></table>';
}

/**
 * Whether the submitted form ticked the network switch (callers have checked the nonce).
 *
 * @since 1.1.0
 *
 * @return bool
 */
function wp_presence_posted_network_switch() {
	// phpcs:ignore WordPress.Security.NonceVerification.Missing -- Verified by the caller.
	return isset( $_POST[ WP_PRESENCE_NETWORK_RECORDING_OPTION ] ) && '1' === wp_presence_sanitize_switch( sanitize_text_field( wp_unslash( $_POST[ WP_PRESENCE_NETWORK_RECORDING_OPTION ] ) ) );
}

/**
 * Saves the network switch from Network Admin → Settings (core has checked the `siteoptions`
 * nonce before this action fires).
 *
 * Hooked to `update_wpmu_options`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_save_network_settings() {
	if ( ! current_user_can( 'manage_network_options' ) ) {
		return;
	}
	wp_presence_set_recording( wp_presence_posted_network_switch(), true ); // Nonce: network/settings.php (siteoptions).
}

/**
 * Adds Settings → Presence.
 *
 * Hooked to `admin_menu`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_settings_menu() {
	add_options_page(
		__( 'Presence', 'presence' ),
		__( 'Presence', 'presence' ),
		'manage_options',
		WP_PRESENCE_SETTINGS_GROUP,
		array( 'WP_Presence_Settings_Page', 'render' )
	);
}

/**
 * Adds Network Admin → Settings → Presence.
 *
 * Hooked to `network_admin_menu`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_network_settings_menu() {
	add_submenu_page(
		'settings.php',
		__( 'Presence', 'presence' ),
		__( 'Presence', 'presence' ),
		'manage_network_options',
		WP_PRESENCE_SETTINGS_GROUP,
		array( 'WP_Presence_Settings_Page', 'render_network' )
	);
}
