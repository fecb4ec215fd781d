<?php
/**
 * REST API: the network view, `GET /wp-presence/v1/presence/network[/<blog_id>]` (multisite).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * presence-api's network routes: sites with `{blog_id, domain, path, url, user_count, users}`,
 * headers `X-WP-Total`, `X-WP-TotalPages`, `X-WP-Presence-Users-Online` and
 * `X-WP-Presence-Aggregating`. Both need the network capability (wp_presence_can_see_network()).
 *
 * @since 1.3.0
 */
class WP_Presence_REST_Network_Controller extends WP_REST_Controller {

	/**
	 * Constructor.
	 */
	public function __construct() {
		$this->namespace = 'wp-presence/v1';
		$this->rest_base = 'presence/network';
	}

	/**
	 * Registers the routes (multisite only: a single site has no network to show).
	 *
	 * @return void
	 */
	public function register_routes() {
		if ( ! is_multisite() ) {
			return;
		}
		$users_per_site = array(
			'description' => __( 'Users listed per site.', 'presence' ),
			'type'        => 'integer',
			'default'     => 5,
			'minimum'     => 0,
			'maximum'     => 100,
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base,
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_items' ),
					'permission_callback' => array( $this, 'get_items_permissions_check' ),
					'args'                => array(
						'page'           => array(
							'description' => __( 'Page of sites, from 1.', 'presence' ),
							'type'        => 'integer',
							'default'     => 1,
							'minimum'     => 1,
							'maximum'     => 100000,
						),
						'per_page'       => array(
							'description' => __( 'Sites per page.', 'presence' ),
							'type'        => 'integer',
							'default'     => 10,
							'minimum'     => 1,
							'maximum'     => 100,
						),
						'users_per_site' => $users_per_site,
					),
				),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/(?P<blog_id>[\d]+)',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_item' ),
					'permission_callback' => array( $this, 'get_item_permissions_check' ),
					'args'                => array(
						'blog_id'        => array(
							'description' => __( 'Site id.', 'presence' ),
							'type'        => 'integer',
							'minimum'     => 1,
						),
						'users_per_site' => $users_per_site,
					),
				),
			)
		);
	}

	/**
	 * The network capability (`wp_presence_network_capability`, default manage_network).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function get_items_permissions_check( $request ) {
		if ( wp_presence_can_see_network() ) {
			return true;
		}
		return new WP_Error( 'rest_forbidden', __( 'Sorry, you are not allowed to see presence across the network.', 'presence' ), array( 'status' => rest_authorization_required_code() ) );
	}

	/**
	 * Same as for the list.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public function get_item_permissions_check( $request ) {
		return $this->get_items_permissions_check( $request );
	}

	/**
	 * Sites with people online (every site, paged, when the network is too large to count).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public function get_items( $request ) {
		$per_page = (int) $request['per_page'];
		$overview = wp_presence_network_overview(
			array(
				'page'           => (int) $request['page'],
				'per_page'       => $per_page,
				'users_per_site' => (int) $request['users_per_site'],
			)
		);
		$items    = array();
		foreach ( $overview['sites'] as $site ) {
			$items[] = self::item( $site );
		}
		$response = rest_ensure_response( $items );
		$response->header( 'X-WP-Total', (string) (int) $overview['total'] );
		$response->header( 'X-WP-TotalPages', (string) (int) ceil( $overview['total'] / $per_page ) );
		$response->header( 'X-WP-Presence-Users-Online', (string) (int) $overview['users_online'] );
		$response->header( 'X-WP-Presence-Aggregating', $overview['aggregating'] ? '1' : '0' );
		return $response;
	}

	/**
	 * One site of this network, with its online users (404 for a site not in it).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function get_item( $request ) {
		$overview = wp_presence_network_overview(
			array(
				'blog_ids'       => array( (int) $request['blog_id'] ),
				'users_per_site' => (int) $request['users_per_site'],
			)
		);
		if ( ! $overview['sites'] ) {
			return new WP_Error( 'rest_presence_site_not_found', __( 'No site of this network has that id.', 'presence' ), array( 'status' => 404 ) );
		}
		return rest_ensure_response( self::item( $overview['sites'][0] ) );
	}

	/**
	 * A site as presence-api shapes it.
	 *
	 * @param array $site Site of wp_presence_network_overview().
	 * @return array
	 */
	private static function item( array $site ) {
		$users = array();
		foreach ( $site['users'] as $user ) {
			$users[] = array(
				'user_id'      => (int) $user['user_id'],
				'display_name' => $user['display_name'],
				'avatar_url'   => $user['avatar_url'],
			);
		}
		return array(
			'blog_id'    => (int) $site['blog_id'],
			'domain'     => $site['domain'],
			'path'       => $site['path'],
			'url'        => $site['url'],
			'user_count' => (int) $site['user_count'],
			'users'      => $users,
		);
	}
}

/**
 * Registers the network routes.
 *
 * Hooked to `rest_api_init`.
 *
 * @since 1.3.0
 *
 * @return void
 */
function wp_presence_register_network_rest_routes() {
	( new WP_Presence_REST_Network_Controller() )->register_routes();
}
