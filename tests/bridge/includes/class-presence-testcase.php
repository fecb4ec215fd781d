<?php
/**
 * Base test case: a database transaction per test, presence reset, helpers.
 *
 * @package Presence
 */

use PHPUnit\Framework\TestCase;

/**
 * Every test runs in a transaction that is rolled back, with presence cleared before and after.
 */
abstract class Presence_TestCase extends TestCase {

	/**
	 * Filters added by the test, removed in tearDown.
	 *
	 * @var array[]
	 */
	private $added_filters = array();

	/**
	 * Whether this test class wraps each test in a transaction.
	 *
	 * @var bool
	 */
	protected $use_transaction = true;

	/**
	 * Counter for unique names.
	 *
	 * @var int
	 */
	private static $seq = 0;

	/**
	 * Starts the transaction and clears presence.
	 */
	protected function setUp(): void {
		global $wpdb;
		parent::setUp();
		if ( $this->use_transaction ) {
			$wpdb->query( 'SET autocommit = 0' );
			$wpdb->query( 'START TRANSACTION' );
		}
		wp_set_current_user( 0 );
		self::reset_presence();
		$wpdb->suppress_errors( false );
		// The SQL store's random sweep-on-write would make query counts and versions vary from run
		// to run; tests that want it turn it on.
		$this->add_test_filter( 'wp_presence_sql_sweep_chance', '__return_zero' );
		// Test users need no strong password hashes: bcrypt's lowest cost makes creating one take
		// about 1 ms instead of about 60.
		$this->add_test_filter(
			'wp_hash_password_options',
			static function ( $options ) {
				return array_merge( (array) $options, array( 'cost' => 4 ) );
			}
		);
	}

	/**
	 * Rolls back, clears presence and caches, removes the test's filters.
	 */
	protected function tearDown(): void {
		global $wpdb;
		foreach ( array_reverse( $this->added_filters ) as $f ) {
			remove_filter( $f[0], $f[1], $f[2] );
		}
		$this->added_filters = array();
		self::reset_presence();
		if ( $this->use_transaction ) {
			$wpdb->query( 'ROLLBACK' );
			$wpdb->query( 'SET autocommit = 1' );
		}
		wp_cache_flush();
		// Every test starts on the real clock (the extension can reset it from presence_debug_reset_clock() on).
		if ( ! $this->on_extension() || function_exists( 'presence_debug_reset_clock' ) ) {
			WP_Presence_Testing::reset_clock();
		}
		wp_set_current_user( 0 );
		if ( is_multisite() && ms_is_switched() ) {
			while ( ms_is_switched() ) {
				restore_current_blog();
			}
		}
		unset( $GLOBALS['wp_rest_server'] );
		parent::tearDown();
	}

	/**
	 * Empties the site's presence, its hidden namespace included, and the bridge's caches.
	 *
	 * @return void
	 */
	protected static function reset_presence() {
		WP_Presence_Testing::reset();
	}

	/**
	 * add_filter() that is undone after the test.
	 *
	 * @param string   $hook     Hook.
	 * @param callable $callback Callback.
	 * @param int      $priority Priority.
	 * @param int      $args     Accepted args.
	 * @return void
	 */
	protected function add_test_filter( $hook, $callback, $priority = 10, $args = 1 ) {
		add_filter( $hook, $callback, $priority, $args );
		$this->added_filters[] = array( $hook, $callback, $priority );
	}

	/**
	 * Creates a user.
	 *
	 * @param string $role Role ('' for none).
	 * @param array  $args Extra wp_insert_user() args.
	 * @return int
	 */
	protected function make_user( $role = 'editor', array $args = array() ) {
		++self::$seq;
		$login = 'u' . self::$seq . '_' . wp_generate_password( 6, false );
		$id    = wp_insert_user(
			array_merge(
				array(
					'user_login'   => $login,
					'user_email'   => $login . '@example.org',
					'user_pass'    => 'password',
					'display_name' => 'User ' . $login,
					'role'         => $role,
				),
				$args
			)
		);
		$this->assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
		return $id;
	}

	/**
	 * Creates a post.
	 *
	 * @param int   $author Author.
	 * @param array $args   Extra args.
	 * @return int
	 */
	protected function make_post( $author, array $args = array() ) {
		$id = wp_insert_post(
			array_merge(
				array(
					'post_title'  => 'Post ' . ( ++self::$seq ),
					'post_status' => 'publish',
					'post_type'   => 'post',
					'post_author' => $author,
				),
				$args
			)
		);
		$this->assertIsInt( $id );
		$this->assertGreaterThan( 0, $id );
		return $id;
	}

	/**
	 * Runs the heartbeat_received filters as admin-ajax.php does, as a user.
	 *
	 * @param int    $user_id   User (0: keep the current one).
	 * @param array  $data      Heartbeat data.
	 * @param string $screen_id Screen id.
	 * @return array Response.
	 */
	protected function heartbeat( $user_id, array $data, $screen_id = 'dashboard' ) {
		if ( $user_id ) {
			wp_set_current_user( $user_id );
		}
		return apply_filters( 'heartbeat_received', array(), $data, $screen_id );
	}

	/**
	 * A `wp-presence` ping.
	 *
	 * @param string $tab   Tab id.
	 * @param array  $extra Other keys.
	 * @return array
	 */
	protected function ping( $tab, array $extra = array() ) {
		return array( 'wp-presence' => array_merge( array( 'tab' => $tab, 'screen' => 'dashboard', 'activity' => 'online' ), $extra ) );
	}

	/**
	 * Brings new editors online one second apart, each by one Heartbeat tick (so the display
	 * order is known: the last is the most recent).
	 *
	 * @param int $count Users.
	 * @return int[] User ids, oldest first.
	 */
	protected function bring_online( $count ) {
		$ids = array();
		for ( $i = 0; $i < $count; $i++ ) {
			$uid   = $this->make_user( 'editor' );
			$ids[] = $uid;
			$this->heartbeat( $uid, $this->ping( 'tabonline' . $i ) );
			WP_Presence_Testing::advance( 1 );
		}
		return $ids;
	}

	/**
	 * Caps the other users a Heartbeat reply carries per room (`wp_presence_heartbeat_rows`).
	 *
	 * @param int $rows Rows.
	 * @return void
	 */
	protected function cap_rows( $rows ) {
		$this->add_test_filter(
			'wp_presence_heartbeat_rows',
			static function () use ( $rows ) {
				return $rows;
			}
		);
	}

	/**
	 * User ids of reply rows.
	 *
	 * @param array[] $rows Rows.
	 * @return int[]
	 */
	protected function ids( array $rows ) {
		$ids = array_map( 'intval', wp_list_pluck( $rows, 'user_id' ) );
		sort( $ids );
		return $ids;
	}

	/**
	 * A REST request through rest_do_request().
	 *
	 * @param string $method Method.
	 * @param string $route  Route.
	 * @param array  $params Parameters (query for GET/DELETE, JSON body for POST).
	 * @return WP_REST_Response
	 */
	protected function rest( $method, $route, array $params = array() ) {
		$request = new WP_REST_Request( $method, $route );
		if ( 'POST' === $method ) {
			$request->set_header( 'Content-Type', 'application/json' );
			$request->set_body( wp_json_encode( $params ) );
		} else {
			$request->set_query_params( $params );
		}
		return rest_ensure_response( rest_do_request( $request ) );
	}

	/**
	 * Runs an Ajax callback as admin-ajax.php does, with wp_die() turned into an exception.
	 *
	 * @param callable $callback The handler (e.g. core's wp_ajax_destroy_sessions()).
	 * @param array    $request  Fields of $_POST and $_REQUEST.
	 * @return array status (the code wp_die() was given; 200 by default, 0 if it never died),
	 *               message (wp_die()'s), body (the output).
	 */
	protected function call_ajax( $callback, array $request ) {
		$saved    = array( $_POST, $_REQUEST );
		$_POST    = array_merge( $_POST, $request );
		$_REQUEST = array_merge( $_REQUEST, $request );
		$handler  = static function () {
			return static function ( $message, $title = '', $args = array() ) {
				$code = is_array( $args ) && ! empty( $args['response'] ) ? (int) $args['response'] : 200;
				throw new Presence_Test_Die( is_scalar( $message ) ? (string) $message : '', $code );
			};
		};
		add_filter( 'wp_doing_ajax', '__return_true' );
		add_filter( 'wp_die_ajax_handler', $handler );
		ob_start();
		$status  = 0;
		$message = '';
		try {
			call_user_func( $callback );
		} catch ( Presence_Test_Die $e ) {
			$status  = $e->getCode();
			$message = $e->getMessage();
		} finally {
			$body = (string) ob_get_clean();
			remove_filter( 'wp_doing_ajax', '__return_true' );
			remove_filter( 'wp_die_ajax_handler', $handler );
			list( $_POST, $_REQUEST ) = $saved;
		}
		return array(
			'status'  => $status,
			'message' => $message,
			'body'    => $body,
		);
	}

	/**
	 * Whether the extension backend is active.
	 *
	 * @return bool
	 */
	protected function on_extension() {
		return 'extension' === wp_presence_backend();
	}

	/**
	 * Whether the active backend stores presence outside the database (extension, Redis).
	 *
	 * @return bool
	 */
	protected function storage_is_sql_free() {
		return 'sql' !== wp_presence_backend();
	}

	/**
	 * Whether the Redis backend is active.
	 *
	 * @return bool
	 */
	protected function on_redis() {
		return 'redis' === wp_presence_backend();
	}
}

/**
 * wp_die() in the tests (see Presence_TestCase::call_ajax()).
 */
class Presence_Test_Die extends Exception {
}
