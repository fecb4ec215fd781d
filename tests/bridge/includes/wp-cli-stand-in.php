<?php
/**
 * A minimal stand-in for WP-CLI's output functions (WP-CLI itself is not installable here).
 *
 * Records every call so tests can assert on what a command printed. error() throws, as the
 * real one exits.
 *
 * @package Presence
 */

namespace {
	if ( ! class_exists( 'WP_CLI' ) ) {
		/**
		 * Stand-in for the WP_CLI class.
		 */
		class WP_CLI {
			/**
			 * Recorded output: array( kind, message ).
			 *
			 * @var array[]
			 */
			public static $out = array();

			/**
			 * Registered commands.
			 *
			 * @var array
			 */
			public static $commands = array();

			/**
			 * Registers a command.
			 *
			 * @param string $name  Name.
			 * @param mixed  $class Class.
			 * @return void
			 */
			public static function add_command( $name, $class ) {
				self::$commands[ $name ] = $class;
			}

			/**
			 * Log line.
			 *
			 * @param string $m Message.
			 * @return void
			 */
			public static function log( $m ) {
				self::$out[] = array( 'log', (string) $m );
			}

			/**
			 * Plain line.
			 *
			 * @param string $m Message.
			 * @return void
			 */
			public static function line( $m = '' ) {
				self::$out[] = array( 'line', (string) $m );
			}

			/**
			 * Success line.
			 *
			 * @param string $m Message.
			 * @return void
			 */
			public static function success( $m ) {
				self::$out[] = array( 'success', (string) $m );
			}

			/**
			 * Warning line.
			 *
			 * @param string $m Message.
			 * @return void
			 */
			public static function warning( $m ) {
				self::$out[] = array( 'warning', (string) $m );
			}

			/**
			 * Confirmation: returns with `--yes`, otherwise answers no (the real one exits).
			 *
			 * @param string $question   Question.
			 * @param array  $assoc_args Options (`yes`).
			 * @throws WP_CLI_Stand_In_Declined Without `yes`.
			 * @return void
			 */
			public static function confirm( $question, $assoc_args = array() ) {
				self::$out[] = array( 'confirm', (string) $question );
				if ( empty( $assoc_args['yes'] ) ) {
					throw new WP_CLI_Stand_In_Declined( (string) $question ); // Nobody at the prompt: no.
				}
			}

			/**
			 * Error: throws like WP-CLI halts.
			 *
			 * @param string $m Message.
			 * @throws WP_CLI_Stand_In_Error Always.
			 * @return void
			 */
			public static function error( $m ) {
				self::$out[] = array( 'error', (string) $m );
				throw new WP_CLI_Stand_In_Error( (string) $m );
			}
		}

		/**
		 * Thrown by the stand-in's WP_CLI::confirm() when not answered yes (the real one exits).
		 */
		class WP_CLI_Stand_In_Declined extends \RuntimeException {}

		/**
		 * Thrown by the stand-in's WP_CLI::error().
		 */
		class WP_CLI_Stand_In_Error extends \RuntimeException {}
	}
}

namespace WP_CLI\Utils {
	if ( ! function_exists( 'WP_CLI\Utils\format_items' ) ) {
		/**
		 * Stand-in for WP_CLI\Utils\format_items(): records the items; json and count print.
		 *
		 * @param string $format Format.
		 * @param array  $items  Items.
		 * @param array  $fields Fields.
		 * @return void
		 */
		function format_items( $format, $items, $fields ) {
			$rows = array();
			foreach ( $items as $item ) {
				$row = array();
				foreach ( $fields as $field ) {
					$row[ $field ] = isset( $item[ $field ] ) ? $item[ $field ] : null;
				}
				$rows[] = $row;
			}
			\WP_CLI::$out[] = array( 'items:' . $format, $rows );
		}
	}
}
