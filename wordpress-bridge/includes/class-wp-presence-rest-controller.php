<?php
/**
 * REST API: wp-presence/v1.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * `GET|POST|DELETE /wp-presence/v1/presence` and `GET /wp-presence/v1/presence/rooms`,
 * with presence-api's arguments, status codes and headers.
 *
 * @since 1.0.0
 */
class WP_Presence_REST_Controller extends WP_REST_Controller {

	/**
	 * Largest accepted `data`, JSON-encoded, in bytes (400 beyond).
	 */
	const MAX_DATA_BYTES = 10240;

	/**
	 * Deepest accepted nesting of `data`.
	 */
	const MAX_DATA_DEPTH = 3;

	/**
	 * Constructor.
	 */
	public function __construct() {
		$this->namespace = 'wp-presence/v1';
		$this->rest_base = 'presence';
	}

	/**
	 * Registers the routes.
	 *
	 * @return void
	 */
	public function register_routes() {
		$room      = array(
			'type'              => 'string',
			'required'          => true,
			'minLength'         => 1,
			'maxLength'         => WP_PRESENCE_MAX_KEY_LENGTH,
			'validate_callback' => array( $this, 'validate_room' ),
		);
		$client_id = array(
			'type'      => 'string',
			'required'  => true,
			'minLength' => 1,
			'maxLength' => WP_PRESENCE_MAX_KEY_LENGTH,
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base,
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_items' ),
					'permission_callback' => array( $this, 'room_permissions_check' ),
					'args'                => array_merge(
						array(
							'room'  => $room,
							'group' => array(
								'description' => __( 'entry: one item per entry (the default); user: one row per user, tabs combined, ordered by name.', 'presence' ),
								'type'        => 'string',
								'enum'        => array( 'entry', 'user' ),
								'default'     => 'entry',
							),
						),
						$this->pagination_args()
					),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'create_item' ),
					'permission_callback' => array( $this, 'room_permissions_check' ),
					'args'                => array(
						'room'      => $room,
						'client_id' => array_merge( $client_id, array( 'validate_callback' => array( $this, 'validate_client_id' ) ) ),
						'data'      => array(
							'type'              => 'object',
							'default'           => array(),
							'validate_callback' => array( $this, 'validate_data' ),
							'sanitize_callback' => array( $this, 'sanitize_data' ),
						),
					),
				),
				array(
					'methods'             => WP_REST_Server::DELETABLE,
					'callback'            => array( $this, 'delete_item' ),
					'permission_callback' => array( $this, 'delete_item_permissions_check' ),
					'args'                => array(
						'room'      => $room,
						'client_id' => $client_id,
					),
				),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/rooms',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_rooms' ),
					'permission_callback' => array( $this, 'rooms_permissions_check' ),
					'args'                => $this->pagination_args(),
				),
			)
		);
	}

	/**
	 * `per_page` (1..100) and `page` (>= 1); out of range is a 400.
	 *
	 * @return array
	 */
	private function pagination_args() {
		return array(
			'per_page' => array(
				'type'    => 'integer',
				'default' => 100,
				'minimum' => 1,
				'maximum' => 100,
			),
			'page'     => array(
				'type'    => 'integer',
				'default' => 1,
				'minimum' => 1,
			),
		);
	}

	/**
	 * `room`: a string of 1..191 characters, and no non-canonical spelling of an interpreted
	 * room (`posttype/post:27`, `postType/post:027`, `admin/online `, ...): those are a 400 for
	 * everyone, before any permission check or store access.
	 *
	 * @param mixed           $value   Value.
	 * @param WP_REST_Request $request Request.
	 * @param string          $param   Parameter name.
	 * @return true|WP_Error
	 */
	public function validate_room( $value, $request, $param ) {
		$valid = rest_validate_request_arg( $value, $request, $param );
		if ( true !== $valid ) {
			return $valid;
		}
		if ( false === wp_presence_room_kind( $value ) ) {
			return new WP_Error( 'rest_invalid_param', __( 'Not a room: spell interpreted rooms exactly as admin/online and postType/{post_type}:{post_id}.', 'presence' ), array( 'status' => 400 ) );
		}
		return true;
	}

	/**
	 * `client_id` of a write: ids starting with `_` are reserved (presence-api's `_lock`,
	 * `_collab`): a 400 `rest_invalid_param`.
	 *
	 * @param mixed           $value   Value.
	 * @param WP_REST_Request $request Request.
	 * @param string          $param   Parameter name.
	 * @return true|WP_Error
	 */
	public function validate_client_id( $value, $request, $param ) {
		$valid = rest_validate_request_arg( $value, $request, $param );
		if ( true !== $valid ) {
			return $valid;
		}
		if ( 0 === strpos( (string) $value, '_' ) ) {
			return new WP_Error( 'rest_presence_reserved_client_id', __( 'Client ids starting with "_" are reserved.', 'presence' ), array( 'status' => 400 ) );
		}
		return true;
	}

	/**
	 * `data`: an object of at most 10240 bytes of JSON. Larger is a 400 `rest_invalid_param`
	 * (presence-api checks it as argument validation too).
	 *
	 * @param mixed           $value   Value.
	 * @param WP_REST_Request $request Request.
	 * @param string          $param   Parameter name.
	 * @return true|WP_Error
	 */
	public function validate_data( $value, $request, $param ) {
		$valid = rest_validate_request_arg( $value, $request, $param );
		if ( true !== $valid ) {
			return $valid;
		}
		$json = wp_json_encode( $value );
		if ( false === $json || strlen( $json ) > self::MAX_DATA_BYTES ) {
			return new WP_Error( 'rest_presence_data_too_large', __( 'Presence data must be at most 10240 bytes of JSON.', 'presence' ), array( 'status' => 400 ) );
		}
		return true;
	}

	/**
	 * `data` is sanitised, not rejected (presence-api contract): values that are neither
	 * scalars nor arrays are dropped (nulls included), levels deeper than 3 are cut, strings are
	 * kept as sent.
	 *
	 * @param mixed $value Value.
	 * @return array
	 */
	public function sanitize_data( $value ) {
		return is_array( $value ) ? self::sanitize_level( $value, 1 ) : array();
	}

	/**
	 * One level of sanitize_data().
	 *
	 * @param array $value Value.
	 * @param int   $level Its level (1 for the top).
	 * @return array
	 */
	private static function sanitize_level( array $value, $level ) {
		$out = array();
		foreach ( $value as $key => $item ) {
			if ( is_array( $item ) ) {
				if ( $level < self::MAX_DATA_DEPTH ) {
					$out[ $key ] = self::sanitize_level( $item, $level + 1 );
				}
			} elseif ( is_scalar( $item ) ) {
				$out[ $key ] = $item;
			}
		}
		return $out;
	}

	/**
	 * Core's `rest_forbidden`: 401 when logged out, 403 otherwise (presence-api contract).
	 *
	 * @param string $message Message.
	 * @return WP_Error
	 */
	private function forbidden( $message ) {
		return new WP_Error( 'rest_forbidden', $message, array( 'status' => rest_authorization_required_code() ) );
	}

	/**
	 * The store is not available.
	 *
	 * @return WP_Error
	 */
	private function unavailable() {
		return new WP_Error( 'rest_presence_unavailable', __( 'The presence store is not available.', 'presence' ), array( 'status' => 503 ) );
	}

	/**
	 * Room access: `edit_post` for a post room, `edit_posts` otherwise.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function room_permissions_check( $request ) {
		if ( ! WP_Presence_View::current()->can_read_room( (string) $request['room'] ) ) {
			return $this->forbidden( __( 'Sorry, you are not allowed to access this presence room.', 'presence' ) );
		}
		return true;
	}

	/**
	 * Room access, then, for an entry that exists for the user, its owner or `manage_options`.
	 * An entry the user may not see (a hidden user's) answers as an absent one.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function delete_item_permissions_check( $request ) {
		$check = $this->room_permissions_check( $request );
		if ( true !== $check ) {
			return $check;
		}
		// Also called without validated arguments (core's Allow header on other methods).
		if ( '' === (string) $request['client_id'] ) {
			return true;
		}
		try {
			$found = WP_Presence_View::current()->find( (string) $request['room'], (string) $request['client_id'] );
		} catch ( Throwable $e ) {
			$found = null;
		}
		if ( $found && ! $found['seen']['own'] && ! current_user_can( 'manage_options' ) ) {
			return $this->forbidden( __( 'Sorry, you are not allowed to remove this presence entry.', 'presence' ) );
		}
		return true;
	}

	/**
	 * `edit_posts` for the room list.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function rooms_permissions_check( $request ) {
		if ( ! current_user_can( 'edit_posts' ) ) {
			return $this->forbidden( __( 'Sorry, you are not allowed to list presence rooms.', 'presence' ) );
		}
		return true;
	}

	/**
	 * Adds `Cache-Control: no-store`.
	 *
	 * @param mixed $data   Data.
	 * @param int   $status Status.
	 * @return WP_REST_Response
	 */
	private function respond( $data, $status = 200 ) {
		$response = new WP_REST_Response( $data, $status );
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * A page of a list, with core's total headers.
	 *
	 * @param array           $all     Every item.
	 * @param WP_REST_Request $request Request (per_page, page).
	 * @param callable        $render  Renders one item of the page.
	 * @return WP_REST_Response
	 */
	private function page( array $all, $request, $render ) {
		$per_page = (int) $request['per_page'];
		$total    = count( $all );
		$items    = array_map( $render, array_slice( $all, ( (int) $request['page'] - 1 ) * $per_page, $per_page ) );
		$response = $this->respond( $items );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) (int) ceil( $total / $per_page ) );
		return $response;
	}

	/**
	 * GET /presence: the entries of the room the user sees, with the fields they may read.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function get_items( $request ) {
		if ( 'user' === $request['group'] ) {
			return $this->get_user_rows( $request );
		}
		try {
			return $this->page(
				WP_Presence_View::current()->items( (string) $request['room'] ),
				$request,
				static function ( $item ) {
					return $item;
				}
			);
		} catch ( Throwable $e ) {
			return $this->unavailable();
		}
	}

	/**
	 * GET /presence?group=user: one row per user the viewer sees in the room (the rows Heartbeat
	 * sends, tabs combined; the viewer's own row included), for the widget's "+N more" list.
	 *
	 * Ordered by display name, then user id, rather than most recent first: a client paging
	 * through a busy room would otherwise miss or repeat users whose tabs refresh between pages.
	 * X-WP-Total counts users, not entries.
	 *
	 * @since 1.4.0
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	private function get_user_rows( $request ) {
		try {
			$rows = WP_Presence_View::current()->rows( (string) $request['room'] );
		} catch ( Throwable $e ) {
			return $this->unavailable();
		}
		usort(
			$rows,
			static function ( $a, $b ) {
				$order = strnatcasecmp( $a['display_name'], $b['display_name'] );
				return 0 !== $order ? $order : $a['user_id'] <=> $b['user_id'];
			}
		);
		return $this->page(
			$rows,
			$request,
			static function ( $row ) {
				return $row;
			}
		);
	}

	/**
	 * POST /presence. A live entry of another user is a 409, except a hidden user's: that one is
	 * not there for anyone else, so the answer is the one for an absent entry, and the hidden
	 * entry is left alone (it lives in another namespace). An entry a `wp_presence_see_entry`
	 * rule hides from the user still holds its id (409): ids are never handed to someone else.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function create_item( $request ) {
		$room      = (string) $request['room'];
		$client_id = (string) $request['client_id'];
		$data      = $request['data'];
		$data      = is_array( $data ) ? wp_presence_without_reserved_keys( $data ) : array();
		$user_id   = get_current_user_id();

		/**
		 * Filters whether POST answers 400 for interpreted keys (`screen`, `activity`, `post_id`,
		 * `title`) that are not valid in `admin/online` or a post room. presence-api stores them as
		 * sent; the bridge refuses them so a client learns its mistake. False stores them as
		 * presence-api does; others' views still show only valid interpreted keys.
		 *
		 * @since 1.3.0
		 *
		 * @param bool   $reject Default true.
		 * @param string $room   Room.
		 */
		$checked = apply_filters( 'wp_presence_rest_rejects_interpreted_data', true, $room ) ? wp_presence_check_interpreted_data( $room, $data, $user_id ) : true;
		if ( is_wp_error( $checked ) ) {
			return $checked;
		}

		try {
			$found = WP_Presence_View::current()->find( $room, $client_id );
			$taken = $found ? null : wp_presence_store()->get( $room, $client_id );
			if ( $taken && (int) $taken['user_id'] !== $user_id ) {
				if ( wp_presence_user_is_hidden( (int) $taken['user_id'] ) ) {
					// Written before its user was hidden by a filter: it leaves the site's namespace
					// now, and the id is free here, as it is for every hidden user's entries.
					list( $site_ns, $hidden_ns ) = wp_presence_site_namespaces();
					wp_presence_move_between( (int) $taken['user_id'], $site_ns, $hidden_ns );
				} else {
					$found = array( 'seen' => array( 'own' => false ) ); // Hidden by a site's rule, still someone's.
				}
			}
			if ( $found && ! $found['seen']['own'] ) {
				return new WP_Error( 'rest_presence_client_id_conflict', __( 'This client id belongs to another user.', 'presence' ), array( 'status' => 409 ) );
			}
			$written = wp_presence_write( $room, $client_id, $user_id, $data, wp_presence_default_ttl(), array( 'card' => true ) );
			if ( is_wp_error( $written ) ) {
				return $this->write_error( $written );
			}
			/** This action is documented in includes/api.php */
			do_action( 'set_presence', $room, $client_id, $data, $user_id );
			$view  = WP_Presence_View::current(); // Afresh: the write may have moved entries.
			$after = $view->find( $room, $client_id );
		} catch ( Throwable $e ) {
			return $this->unavailable();
		}
		// 200 for a new entry too, as presence-api.
		return $this->respond( $after ? $view->item( $after['seen'] ) : array() );
	}

	/**
	 * A refused write as a REST error.
	 *
	 * @param WP_Error $error From wp_presence_write().
	 * @return WP_Error
	 */
	private function write_error( WP_Error $error ) {
		switch ( $error->get_error_code() ) {
			case 'presence_limit_exceeded':
			case 'presence_site_limit_exceeded':
				return new WP_Error( 'rest_presence_limit_exceeded', $error->get_error_message(), array( 'status' => 429 ) );
			case 'presence_invalid_data':
				return new WP_Error( 'rest_presence_invalid_data', $error->get_error_message(), array( 'status' => 400 ) );
			case 'presence_invalid_room':
			case 'presence_invalid_client_id':
				return new WP_Error( 'rest_invalid_param', $error->get_error_message(), array( 'status' => 400 ) );
		}
		return $this->unavailable();
	}

	/**
	 * DELETE /presence: removes the entry when it exists for the user (their own, or any they
	 * can see with `manage_options`). The answer is the same whether or not there was one.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function delete_item( $request ) {
		$room      = (string) $request['room'];
		$client_id = (string) $request['client_id'];
		try {
			$found = WP_Presence_View::current()->find( $room, $client_id );
			if ( $found && ( $found['seen']['own'] || current_user_can( 'manage_options' ) ) ) {
				// Only the entry found, whichever namespace holds it: its owner's.
				wp_presence_remove_entry( $room, $client_id, (int) $found['entry']['user_id'] );
				/** This action is documented in includes/api.php */
				do_action( 'removed_presence', $room, $client_id );
			}
		} catch ( Throwable $e ) {
			return $this->unavailable();
		}
		return $this->respond(
			array(
				'deleted' => true,
				'room'    => $room,
			)
		);
	}

	/**
	 * GET /presence/rooms: the rooms that exist for the user, with the users they see there.
	 * Rooms only hidden users are in do not exist for others; no raw counts or versions.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function get_rooms( $request ) {
		try {
			$rooms = WP_Presence_View::current()->rooms( '' );
		} catch ( Throwable $e ) {
			return $this->unavailable();
		}
		return $this->page(
			$rooms,
			$request,
			static function ( $room ) {
				$users = array();
				foreach ( $room['users'] as $row ) {
					$users[] = array(
						'user_id'      => $row['user_id'],
						'display_name' => $row['display_name'],
						'avatar_url'   => $row['avatar_url'],
						'status'       => $row['status'],
					);
				}
				return array(
					'room'       => $room['room'],
					'user_count' => count( $users ),
					'users'      => $users,
				);
			}
		);
	}
}

/**
 * Registers the REST routes.
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_register_rest_routes() {
	$controller = new WP_Presence_REST_Controller();
	$controller->register_routes();
}

/**
 * `Cache-Control: no-store` on every wp-presence/v1 response, errors included.
 *
 * Hooked to rest_request_after_callbacks (covers rest_do_request() and permission errors) and
 * rest_post_dispatch (covers argument validation errors served over HTTP).
 *
 * @since 1.0.0
 *
 * @param WP_REST_Response|WP_Error|mixed $response Response.
 * @param mixed                           $handler  Handler or server.
 * @param WP_REST_Request                 $request  Request.
 * @return WP_REST_Response|mixed
 */
function wp_presence_rest_no_store( $response, $handler, $request ) {
	if ( ! $request instanceof WP_REST_Request || 0 !== strpos( $request->get_route(), '/wp-presence/v1' ) ) {
		return $response;
	}
	if ( is_wp_error( $response ) ) {
		$response = rest_convert_error_to_response( $response );
	}
	if ( $response instanceof WP_REST_Response ) {
		$response->header( 'Cache-Control', 'no-store' );
	}
	return $response;
}

/**
 * Over HTTP, core sends its no-cache headers for logged-in users after the response's own
 * headers; this restores exactly `Cache-Control: no-store` on wp-presence/v1 responses.
 *
 * @since 1.0.0
 *
 * @param bool             $served  Whether the request was served.
 * @param WP_HTTP_Response $result  Result.
 * @param WP_REST_Request  $request Request.
 * @param WP_REST_Server   $server  Server.
 * @return bool Unchanged.
 */
function wp_presence_rest_pre_serve( $served, $result, $request, $server ) {
	if ( $request instanceof WP_REST_Request && 0 === strpos( $request->get_route(), '/wp-presence/v1' ) && $server instanceof WP_REST_Server ) {
		$server->send_header( 'Cache-Control', 'no-store' );
	}
	return $served;
}
