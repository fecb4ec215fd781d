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
	 * Live entries one user may hold at most (429 beyond).
	 */
	const MAX_ENTRIES_PER_USER = 50;

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
			'type'      => 'string',
			'required'  => true,
			'minLength' => 1,
			'maxLength' => 191,
		);
		$client_id = array(
			'type'      => 'string',
			'required'  => true,
			'minLength' => 1,
			'maxLength' => 191,
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base,
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_items' ),
					'permission_callback' => array( $this, 'room_permissions_check' ),
					'args'                => array_merge( array( 'room' => $room ), $this->pagination_args() ),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'create_item' ),
					'permission_callback' => array( $this, 'room_permissions_check' ),
					'args'                => array(
						'room'      => $room,
						'client_id' => $client_id,
						'data'      => array(
							'type'    => 'object',
							'default' => array(),
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
	 * 401 when logged out, 403 otherwise.
	 *
	 * @param string $code    Error code.
	 * @param string $message Message.
	 * @return WP_Error
	 */
	private function forbidden( $code, $message ) {
		return new WP_Error( $code, $message, array( 'status' => rest_authorization_required_code() ) );
	}

	/**
	 * Room access: `edit_post` for a post room, `edit_posts` otherwise.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function room_permissions_check( $request ) {
		if ( ! wp_can_access_presence_room( (string) $request['room'] ) ) {
			return $this->forbidden( 'rest_presence_forbidden', __( 'Sorry, you are not allowed to access this presence room.', 'presence' ) );
		}
		return true;
	}

	/**
	 * Room access, then the entry's owner or `manage_options`.
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
			$entry = wp_presence_store()->get( (string) $request['room'], (string) $request['client_id'] );
		} catch ( Throwable $e ) {
			$entry = null;
		}
		if ( $entry && (int) $entry['user_id'] !== get_current_user_id() && ! current_user_can( 'manage_options' ) ) {
			return $this->forbidden( 'rest_presence_forbidden', __( 'Sorry, you are not allowed to remove this presence entry.', 'presence' ) );
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
			return $this->forbidden( 'rest_presence_forbidden', __( 'Sorry, you are not allowed to list presence rooms.', 'presence' ) );
		}
		return true;
	}

	/**
	 * Whether a user should be hidden from the current user (invisible).
	 *
	 * @param int        $user_id User id.
	 * @param array|null $card    The user's card (its `p` is the preference).
	 * @return bool
	 */
	private function hidden( $user_id, $card ) {
		if ( (int) $user_id === get_current_user_id() || $user_id <= 0 ) {
			return false;
		}
		$pref = is_array( $card ) && isset( $card['p'] ) ? (string) $card['p'] : '';
		return ( 'invisible' === $pref && wp_presence_invisible_allowed() ) || wp_presence_is_forced_invisible( (int) $user_id );
	}

	/**
	 * One item: room, client_id, user_id, display_name, avatar_url, data, date_gmt.
	 *
	 * @param array $entry Entry.
	 * @param array $cards Cards by user id.
	 * @return array
	 */
	private function item( array $entry, array $cards ) {
		$formatted = wp_presence_format_entry( $entry );
		$uid       = (int) $entry['user_id'];
		$card      = ! empty( $entry['data']['_wp']['n'] ) ? $entry['data']['_wp'] : ( isset( $cards[ $uid ] ) ? $cards[ $uid ] : null );
		$card      = is_array( $card ) && empty( $card['x'] ) ? $card : null;
		return array(
			'room'         => $formatted->room,
			'client_id'    => $formatted->client_id,
			'user_id'      => $uid,
			'display_name' => $card ? (string) $card['n'] : '',
			'avatar_url'   => $card ? esc_url_raw( (string) $card['a'] ) : '',
			'data'         => (object) $formatted->data,
			'date_gmt'     => $formatted->date_gmt,
		);
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
	 * GET /presence.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function get_items( $request ) {
		try {
			$entries = wp_presence_store()->room( (string) $request['room'] );
		} catch ( Throwable $e ) {
			return new WP_Error( 'rest_presence_unavailable', __( 'The presence store is not available.', 'presence' ), array( 'status' => 503 ) );
		}
		$by_user = array();
		foreach ( $entries as $entry ) {
			$by_user[ (int) $entry['user_id'] ][] = $entry;
		}
		$cards = array();
		$need  = array();
		foreach ( $by_user as $uid => $list ) {
			$cards[ $uid ] = wp_presence_entries_card( $list );
			if ( null === $cards[ $uid ] && $uid > 0 ) {
				$need[] = $uid;
			}
		}
		if ( $need ) {
			foreach ( wp_presence_prime_cards( $need ) as $uid => $card ) {
				$cards[ $uid ] = $card;
			}
		}
		$visible = array();
		foreach ( $entries as $entry ) {
			if ( ! $this->hidden( (int) $entry['user_id'], $cards[ (int) $entry['user_id'] ] ) ) {
				$visible[] = $entry;
			}
		}
		$per_page = (int) $request['per_page'];
		$page     = (int) $request['page'];
		$total    = count( $visible );
		$slice    = array_slice( $visible, ( $page - 1 ) * $per_page, $per_page );
		$items    = array();
		foreach ( $slice as $entry ) {
			$items[] = $this->item( $entry, $cards );
		}
		$response = $this->respond( $items );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) (int) ceil( $total / $per_page ) );
		return $response;
	}

	/**
	 * Depth of an array (1 for a flat one).
	 *
	 * @param array $value Value.
	 * @return int|false False when it holds something other than scalars, null or arrays.
	 */
	private static function depth( array $value ) {
		$max = 1;
		foreach ( $value as $item ) {
			if ( is_array( $item ) ) {
				$inner = self::depth( $item );
				if ( false === $inner ) {
					return false;
				}
				$max = max( $max, 1 + $inner );
			} elseif ( ! is_scalar( $item ) && null !== $item ) {
				return false;
			}
		}
		return $max;
	}

	/**
	 * POST /presence.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function create_item( $request ) {
		$room      = (string) $request['room'];
		$client_id = (string) $request['client_id'];
		$data      = $request['data'];
		$data      = is_array( $data ) ? $data : array();
		unset( $data['_wp'] ); // Reserved for the bridge.
		$user_id = get_current_user_id();

		$json = wp_json_encode( $data );
		if ( false === $json || strlen( $json ) > self::MAX_DATA_BYTES ) {
			return new WP_Error( 'rest_presence_data_too_large', __( 'Presence data must be at most 10240 bytes of JSON.', 'presence' ), array( 'status' => 400 ) );
		}
		$depth = self::depth( $data );
		if ( false === $depth || $depth > self::MAX_DATA_DEPTH ) {
			return new WP_Error( 'rest_presence_invalid_data', __( 'Presence data values must be scalars or arrays, nested at most 3 deep.', 'presence' ), array( 'status' => 400 ) );
		}

		try {
			$store = wp_presence_store();
			$old   = $store->get( $room, $client_id );
			if ( $old && (int) $old['user_id'] !== $user_id ) {
				return new WP_Error( 'rest_presence_client_id_conflict', __( 'This client id belongs to another user.', 'presence' ), array( 'status' => 409 ) );
			}
			if ( ! $old && count( $store->user_entries( $user_id ) ) >= self::MAX_ENTRIES_PER_USER ) {
				return new WP_Error( 'rest_presence_limit_exceeded', __( 'Too many presence entries for this user.', 'presence' ), array( 'status' => 429 ) );
			}
			$data['_wp'] = wp_presence_user_card( $user_id );
			$store->upsert( $room, $client_id, $user_id, $data, wp_presence_default_ttl() );
			$entry = $store->get( $room, $client_id );
		} catch ( Throwable $e ) {
			return new WP_Error( 'rest_presence_unavailable', __( 'The presence store is not available.', 'presence' ), array( 'status' => 503 ) );
		}
		return $this->respond( $entry ? $this->item( $entry, array() ) : array(), $old ? 200 : 201 );
	}

	/**
	 * DELETE /presence.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function delete_item( $request ) {
		try {
			wp_presence_store()->remove( (string) $request['room'], (string) $request['client_id'] );
		} catch ( Throwable $e ) {
			return new WP_Error( 'rest_presence_unavailable', __( 'The presence store is not available.', 'presence' ), array( 'status' => 503 ) );
		}
		return $this->respond(
			array(
				'deleted' => true,
				'room'    => (string) $request['room'],
			)
		);
	}

	/**
	 * GET /presence/rooms: live rooms the user may access, with their users.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function get_rooms( $request ) {
		try {
			$store = wp_presence_store();
			$rooms = $store->rooms( '' );
		} catch ( Throwable $e ) {
			return new WP_Error( 'rest_presence_unavailable', __( 'The presence store is not available.', 'presence' ), array( 'status' => 503 ) );
		}
		$visible = array();
		foreach ( $rooms as $room ) {
			if ( wp_can_access_presence_room( $room['room'] ) ) {
				$visible[] = $room;
			}
		}
		$per_page = (int) $request['per_page'];
		$page     = (int) $request['page'];
		$total    = count( $visible );
		$items    = array();
		foreach ( array_slice( $visible, ( $page - 1 ) * $per_page, $per_page ) as $room ) {
			$users = array();
			foreach ( wp_presence_combine_entries( $store->room( $room['room'] ), get_current_user_id() ) as $row ) {
				$users[] = array(
					'user_id'      => $row['user_id'],
					'display_name' => $row['display_name'],
					'avatar_url'   => $row['avatar_url'],
					'status'       => $row['status'],
				);
			}
			$items[] = array(
				'room'    => $room['room'],
				'entries' => (int) $room['entries'],
				'version' => (int) $room['version'],
				'users'   => $users,
			);
		}
		$response = $this->respond( $items );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) (int) ceil( $total / $per_page ) );
		return $response;
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
