<?php
/**
 * WP-CLI: `wp presence recording get|set [on|off] [--network]`.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads and sets the recording switch of the site or of the network.
 *
 * @since 1.1.0
 */
class WP_Presence_CLI_Recording_Command {

	/**
	 * Prints whether presence is recorded: `on` or `off`.
	 *
	 * For a site this is what applies (its own switch, the network's, and their filters); a
	 * warning says when the network is what turns it off.
	 *
	 * ## OPTIONS
	 *
	 * [--network]
	 * : The network's switch (multisite).
	 *
	 * ## EXAMPLES
	 *
	 *     wp presence recording get
	 *     wp presence recording get --network
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function get( $args, $assoc_args ) {
		if ( ! empty( $assoc_args['network'] ) ) {
			$this->require_network();
			/** This filter is documented in includes/recording.php */
			$on = (bool) apply_filters( 'wp_presence_network_recording_enabled', wp_presence_network_recording_switch() );
			\WP_CLI::line( $on ? 'on' : 'off' );
			return;
		}
		$on = wp_presence_recording_enabled();
		\WP_CLI::line( $on ? 'on' : 'off' );
		if ( ! $on && wp_presence_site_recording_switch() && ! wp_presence_network_recording_switch() ) {
			\WP_CLI::warning( 'This site\'s switch is on, but recording is turned off for the whole network.' );
		}
	}

	/**
	 * Turns recording on or off. Turning it off removes the stored presence of the site (with
	 * --network: of every site of the network).
	 *
	 * ## OPTIONS
	 *
	 * <state>
	 * : on or off.
	 *
	 * [--network]
	 * : The network's switch (multisite).
	 *
	 * ## EXAMPLES
	 *
	 *     wp presence recording set off
	 *     wp presence recording set on --network
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 * @return void
	 */
	public function set( $args, $assoc_args ) {
		$state = isset( $args[0] ) && is_string( $args[0] ) ? $args[0] : '';
		if ( 'on' !== $state && 'off' !== $state ) {
			\WP_CLI::error( sprintf( 'Expected "on" or "off", got "%s".', $state ) );
			return;
		}
		$network = ! empty( $assoc_args['network'] );
		if ( $network ) {
			$this->require_network();
		}
		wp_presence_set_recording( 'on' === $state, $network );
		if ( 'on' === $state ) {
			\WP_CLI::success( $network ? 'Presence recording is on for the network.' : 'Presence recording is on for this site.' );
			if ( ! $network && ! wp_presence_network_recording_switch() ) {
				\WP_CLI::warning( 'Recording stays off here until the network switch is on too (wp presence recording set on --network).' );
			}
			return;
		}
		\WP_CLI::success( $network ? 'Presence recording is off for the network; the stored presence of its sites was removed.' : 'Presence recording is off for this site; its stored presence was removed.' );
	}

	/**
	 * Stops unless this is a multisite network.
	 *
	 * @return void
	 */
	private function require_network() {
		if ( ! is_multisite() ) {
			\WP_CLI::error( '--network needs a multisite network; this is a single site.' );
		}
	}
}
