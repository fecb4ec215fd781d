<?php
/**
 * Settings → Presence (site) and Network Admin → Settings → Presence.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings pages: switches, times, and a read-only panel of what the store is doing, for a
 * host without a shell.
 *
 * @since 1.1.0
 */
class WP_Presence_Settings_Page {

	/**
	 * Action of the network page's form (edit.php?action=…).
	 */
	const NETWORK_ACTION = 'wp_presence_network_settings';

	/**
	 * Registers the site page's sections and fields.
	 *
	 * @return void
	 */
	public static function add_fields() {
		$page = WP_PRESENCE_SETTINGS_GROUP;
		add_settings_section( 'wp_presence_switches', __( 'Switches', 'presence' ), '__return_null', $page );
		add_settings_field(
			WP_PRESENCE_RECORDING_OPTION . '_page',
			__( 'Recording', 'presence' ),
			'wp_presence_render_recording_field',
			$page,
			'wp_presence_switches'
		);
		foreach ( self::feature_labels() as $feature => $label ) {
			add_settings_field(
				'wp_presence_feature_' . $feature,
				$label[0],
				array( __CLASS__, 'render_feature_field' ),
				$page,
				'wp_presence_switches',
				array(
					'feature'   => $feature,
					'text'      => $label[1],
					'label_for' => 'wp_presence_feature_' . $feature,
				)
			);
		}
		add_settings_section( 'wp_presence_times', __( 'Activity', 'presence' ), array( __CLASS__, 'render_times_intro' ), $page );
		foreach ( wp_presence_time_ranges() as $option => $range ) {
			add_settings_field(
				$option,
				WP_PRESENCE_IDLE_OPTION === $option ? __( 'Idle after', 'presence' ) : __( 'Away after', 'presence' ),
				array( __CLASS__, 'render_seconds_field' ),
				$page,
				'wp_presence_times',
				array(
					'option'    => $option,
					'range'     => $range,
					'label_for' => $option,
				)
			);
		}
	}

	/**
	 * Labels of the feature switches.
	 *
	 * @return array[] Feature => array( field label, checkbox text ).
	 */
	public static function feature_labels() {
		return array(
			'post-locks' => array( __( 'Post locks', 'presence' ), __( 'Show who holds the edit lock of a post among its editors', 'presence' ) ),
			'front-end'  => array( __( 'Front end', 'presence' ), __( 'Record and show presence on the public site (admin bar)', 'presence' ) ),
			'invisible'  => array( __( 'Invisible mode', 'presence' ), __( 'Let users appear offline while they work', 'presence' ) ),
		);
	}

	/**
	 * One feature checkbox; a hidden 0 first, so an unticked box is saved as off.
	 *
	 * @param array $args feature, text.
	 * @return void
	 */
	public static function render_feature_field( $args ) {
		$switches = wp_presence_feature_switches();
		$name     = WP_PRESENCE_FEATURES_OPTION . '[' . $args['feature'] . ']';
		printf(
			'<input type="hidden" name="%1$s" value="0" /><label><input type="checkbox" id="%2$s" name="%1$s" value="1" %3$s /> %4$s</label>',
			esc_attr( $name ),
			esc_attr( 'wp_presence_feature_' . $args['feature'] ),
			checked( ! empty( $switches[ $args['feature'] ] ), true, false ),
			esc_html( $args['text'] )
		);
	}

	/**
	 * Intro of the Activity section.
	 *
	 * @return void
	 */
	public static function render_times_intro() {
		echo '<p>' . esc_html__( 'A tab with no keyboard, mouse, scroll or touch input for this long shows its user as idle, then away. A hidden tab is away at once.', 'presence' ) . '</p>';
	}

	/**
	 * A number of seconds.
	 *
	 * @param array $args option, range.
	 * @return void
	 */
	public static function render_seconds_field( $args ) {
		list( $min, $max, $default ) = $args['range'];
		printf(
			'<input type="number" class="small-text" id="%1$s" name="%1$s" min="%2$d" max="%3$d" step="1" value="%4$d" /> %5$s',
			esc_attr( $args['option'] ),
			(int) $min,
			(int) $max,
			(int) wp_presence_autoloaded_option( $args['option'], $default ),
			esc_html__( 'seconds', 'presence' )
		);
		printf(
			'<p class="description">%s</p>',
			esc_html(
				sprintf(
					/* translators: 1: smallest number of seconds, 2: largest, 3: default. */
					__( 'From %1$d to %2$d; default %3$d.', 'presence' ),
					(int) $min,
					(int) $max,
					(int) $default
				)
			)
		);
	}

	/**
	 * Settings → Presence.
	 *
	 * @return void
	 */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage options for this site.', 'presence' ), 403 );
		}
		echo '<div class="wrap wp-presence-settings">';
		echo '<h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		settings_errors();
		echo '<form method="post" action="options.php">';
		settings_fields( WP_PRESENCE_SETTINGS_GROUP );
		do_settings_sections( WP_PRESENCE_SETTINGS_GROUP );
		submit_button();
		echo '</form>';
		self::render_store_panel( ! is_multisite() || current_user_can( 'manage_network_options' ) );
		echo '</div>';
	}

	/**
	 * Network Admin → Settings → Presence.
	 *
	 * @return void
	 */
	public static function render_network() {
		if ( ! current_user_can( 'manage_network_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage options for this network.', 'presence' ), 403 );
		}
		echo '<div class="wrap wp-presence-settings">';
		echo '<h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- Only chooses a notice.
		if ( isset( $_GET['updated'] ) ) {
			echo '<div class="notice notice-success is-dismissible"><p>' . esc_html__( 'Settings saved.', 'presence' ) . '</p></div>';
		}
		printf( '<form method="post" action="%s">', esc_url( network_admin_url( 'edit.php?action=' . self::NETWORK_ACTION ) ) );
		wp_nonce_field( self::NETWORK_ACTION );
		wp_presence_render_network_recording_table();
		submit_button();
		echo '</form>';
		self::render_store_panel( true );
		echo '</div>';
	}

	/**
	 * Saves the network page (edit.php?action=wp_presence_network_settings).
	 *
	 * Hooked to `network_admin_edit_wp_presence_network_settings`.
	 *
	 * @return void
	 */
	public static function save_network() {
		if ( ! current_user_can( 'manage_network_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage options for this network.', 'presence' ), 403 );
		}
		check_admin_referer( self::NETWORK_ACTION );
		wp_presence_set_recording( wp_presence_posted_network_switch(), true );

		/**
		 * Fires after the network Presence settings were saved.
		 *
		 * @since 1.1.0
		 */
		do_action( 'wp_presence_network_settings_saved' );
		wp_safe_redirect( add_query_arg( 'updated', 'true', network_admin_url( 'settings.php?page=' . WP_PRESENCE_SETTINGS_GROUP ) ) );
		exit;
	}

	/**
	 * Rows of the store panel.
	 *
	 * @param bool $full Everything (whole-store figures: path, capacity, recoveries); otherwise
	 *                   only this site's backend and entries (a site administrator on a network
	 *                   does not see the other sites' figures).
	 * @return array[] Each array( label, value ), values plain text.
	 */
	public static function store_rows( $full ) {
		$rows   = array();
		$rows[] = array( __( 'Backend', 'presence' ), wp_presence_backend() );
		if ( ! $full ) {
			return $rows;
		}
		$rows[] = array( __( 'Why this backend', 'presence' ), wp_presence_backend_reason() );
		try {
			$store = wp_presence_store();
			$stats = $store->stats();
			$now   = $store->now();
		} catch ( Throwable $e ) {
			$rows[] = array( __( 'Store error', 'presence' ), $e->getMessage() );
			return $rows;
		}
		$stat = static function ( $key ) use ( $stats ) {
			return isset( $stats[ $key ] ) && is_scalar( $stats[ $key ] ) ? (string) $stats[ $key ] : null;
		};
		if ( null !== $stat( 'path' ) ) {
			$rows[] = array( __( 'Segment path', 'presence' ), $stat( 'path' ) );
		}
		if ( null !== $stat( 'table' ) ) {
			$rows[] = array( __( 'Table', 'presence' ), $stat( 'table' ) );
		}
		if ( null !== $stat( 'server' ) ) {
			$rows[] = array( __( 'Redis server', 'presence' ), $stat( 'server' ) );
		}
		if ( null !== $stat( 'capacity' ) && (int) $stat( 'capacity' ) > 0 ) {
			$rows[] = array(
				__( 'Capacity used', 'presence' ),
				sprintf(
					/* translators: 1: live entries, 2: capacity in entries, 3: percentage used. */
					__( '%1$s of %2$s entries (%3$s%%)', 'presence' ),
					number_format_i18n( (int) $stat( 'entries' ) ),
					number_format_i18n( (int) $stat( 'capacity' ) ),
					number_format_i18n( 100 * (int) $stat( 'entries' ) / (int) $stat( 'capacity' ), 1 )
				),
			);
		} elseif ( null !== $stat( 'entries' ) ) {
			$rows[] = array( __( 'Live entries', 'presence' ), number_format_i18n( (int) $stat( 'entries' ) ) );
		}
		if ( null !== $stat( 'bytes_capacity' ) && (int) $stat( 'bytes_capacity' ) > 0 ) {
			$rows[] = array(
				__( 'Data memory used', 'presence' ),
				sprintf(
					/* translators: 1: bytes used, 2: bytes available. */
					__( '%1$s of %2$s', 'presence' ),
					size_format( (int) $stat( 'bytes_used' ), 1 ),
					size_format( (int) $stat( 'bytes_capacity' ), 1 )
				),
			);
		}
		foreach (
			array(
				'lock_recoveries' => __( 'Lock recoveries', 'presence' ),
				'full_refusals'   => __( 'Full-store refusals', 'presence' ),
				'layout_version'  => __( 'Segment layout version', 'presence' ),
				'shards'          => __( 'Shards', 'presence' ),
			) as $key => $label
		) {
			if ( null !== $stat( $key ) ) {
				$rows[] = array( $label, $stat( $key ) );
			}
		}
		$offset = null !== $stat( 'clock_offset' ) ? (int) $stat( 'clock_offset' ) : $now - time();
		$rows[] = array(
			__( 'Clock offset', 'presence' ),
			sprintf(
				/* translators: %d: seconds the store's clock runs ahead of this server's. */
				_n( '%d second', '%d seconds', $offset, 'presence' ),
				$offset
			),
		);
		$rows[] = array( __( 'This site\'s namespace', 'presence' ), $store->get_namespace() );
		return $rows;
	}

	/**
	 * The read-only store panel.
	 *
	 * @param bool $full See store_rows().
	 * @return void
	 */
	public static function render_store_panel( $full ) {
		echo '<h2>' . esc_html__( 'Store', 'presence' ) . '</h2>';
		echo '<table class="widefat striped wp-presence-store-panel" role="presentation"><tbody>';
		foreach ( self::store_rows( $full ) as $row ) {
			printf( '<tr><th scope="row">%1$s</th><td><code>%2$s</code></td></tr>', esc_html( $row[0] ), esc_html( $row[1] ) );
		}
		echo '</tbody></table>';
	}
}
