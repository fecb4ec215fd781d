<?php
/**
 * Tools → Export/Erase Personal Data, driven through core's own Ajax handlers.
 *
 * @package Presence
 */

/**
 * Thrown by the Ajax die handler, carrying what the handler printed.
 */
class Presence_Test_Ajax_Done extends RuntimeException {}

/**
 * The exporter, the eraser and the suggested policy text.
 */
class PrivacyTest extends Presence_TestCase {

	/**
	 * The administrator running the tools.
	 *
	 * @var int
	 */
	private $admin;

	protected function setUp(): void {
		parent::setUp();
		require_once ABSPATH . 'wp-admin/includes/ajax-actions.php';
		$this->admin = $this->make_user( 'administrator' );
		if ( is_multisite() ) {
			grant_super_admin( $this->admin ); // The privacy tools are the network administrator's on a network.
		}
		$this->add_test_filter( 'wp_doing_ajax', '__return_true' );
		$this->add_test_filter( 'pre_wp_mail', '__return_true' ); // Core mails the user when an erasure completes; no MTA here.

		$this->add_test_filter(
			'wp_die_ajax_handler',
			static function () {
				return static function () {
					throw new Presence_Test_Ajax_Done( 'done' );
				};
			}
		);
		// The export's last page builds a zip file (ZipArchive is not installed here); the pages
		// our exporter returns are what is tested.
		remove_filter( 'wp_privacy_personal_data_export_page', 'wp_privacy_process_personal_data_export_page', 10 );
	}

	protected function tearDown(): void {
		add_filter( 'wp_privacy_personal_data_export_page', 'wp_privacy_process_personal_data_export_page', 10, 7 );
		if ( is_multisite() ) {
			revoke_super_admin( $this->admin );
		}
		$_POST    = array();
		$_REQUEST = array();
		parent::tearDown();
	}

	/**
	 * Runs a core Ajax handler and returns its JSON.
	 *
	 * @param string $handler Function.
	 * @param array  $post    $_POST.
	 * @return array
	 */
	private function ajax( $handler, array $post ) {
		$_POST    = $post;
		$_REQUEST = $post;
		ob_start();
		try {
			call_user_func( $handler );
			$this->fail( $handler . ' did not finish with wp_send_json' );
		} catch ( Presence_Test_Ajax_Done $e ) {
			$out = ob_get_clean();
		}
		$json = json_decode( $out, true );
		$this->assertIsArray( $json, $out );
		return $json;
	}

	/**
	 * Index (1-based, as core counts) of a registered exporter or eraser.
	 *
	 * @param string $filter Registration filter.
	 * @return int
	 */
	private function index( $filter ) {
		$keys  = array_keys( apply_filters( $filter, array() ) );
		$found = array_search( 'wp-presence', $keys, true );
		$this->assertNotFalse( $found, 'registered through ' . $filter );
		return $found + 1;
	}

	/**
	 * Every page of our exporter through core's handler.
	 *
	 * @param string $email Email.
	 * @return array[] Pages: each core's `data` array of the response.
	 */
	private function export_pages( $email ) {
		wp_set_current_user( $this->admin );
		$request = wp_create_user_request( $email, 'export_personal_data' );
		$this->assertIsInt( $request );
		$pages = array();
		for ( $page = 1; $page < 50; $page++ ) {
			$json = $this->ajax(
				'wp_ajax_wp_privacy_export_personal_data',
				array(
					'id'       => $request,
					'exporter' => $this->index( 'wp_privacy_personal_data_exporters' ),
					'page'     => $page,
					'security' => wp_create_nonce( 'wp-privacy-export-personal-data-' . $request ),
				)
			);
			$this->assertTrue( $json['success'], wp_json_encode( $json ) );
			$pages[] = $json['data']['data'];
			if ( $json['data']['done'] ) {
				return $pages;
			}
		}
		$this->fail( 'the export never said done' );
	}

	/**
	 * Our erase of one email through core's handler.
	 *
	 * @param string $email Email.
	 * @return array The handler's JSON.
	 */
	private function erase( $email ) {
		$request = wp_create_user_request( $email, 'remove_personal_data' );
		$this->assertIsInt( $request );
		return $this->erase_request( $request );
	}

	/**
	 * Our eraser on an existing request, as the current user, through core's handler.
	 *
	 * @param int $request Request id.
	 * @return array The handler's JSON.
	 */
	private function erase_request( $request ) {
		return $this->ajax(
			'wp_ajax_wp_privacy_erase_personal_data',
			array(
				'id'       => $request,
				'eraser'   => $this->index( 'wp_privacy_personal_data_erasers' ),
				'page'     => 1,
				'security' => wp_create_nonce( 'wp-privacy-erase-personal-data-' . $request ),
			)
		);
	}

	/**
	 * The values of a field across items.
	 *
	 * @param array[] $items Export items.
	 * @param string  $name  Field name.
	 * @return string[]
	 */
	private function values( array $items, $name ) {
		$out = array();
		foreach ( $items as $item ) {
			foreach ( $item['data'] as $field ) {
				if ( $field['name'] === $name ) {
					$out[] = $field['value'];
				}
			}
		}
		sort( $out );
		return $out;
	}

	public function test_export_holds_the_users_presence_and_nothing_of_others() {
		$u     = $this->make_user( 'editor' );
		// Names can arrive raw (imports, SSO); WordPress's own saving would strip the tags.
		$GLOBALS['wpdb']->update( $GLOBALS['wpdb']->users, array( 'display_name' => 'Exported <b>User</b>' ), array( 'ID' => $u ) );
		clean_user_cache( $u );
		$other = $this->make_user( 'editor' );
		$post  = $this->make_post( $u, array( 'post_title' => 'Draft in progress' ) );
		$this->heartbeat( $u, $this->ping( 'tabexp001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		wp_set_presence( 'custom/room', 'mine', array( 'cursor' => 42 ), $u );
		wp_set_presence( 'custom/room', 'theirs', array( 'cursor' => 7 ), $other );
		wp_set_user_presence_preference( $u, 'dnd' );
		wp_set_current_user( $u );
		wp_presence_bump_screen_revision( 'post:' . $post );

		$items = array_merge( ...$this->export_pages( get_userdata( $u )->user_email ) );
		foreach ( $items as $item ) {
			$this->assertSame( 'wp-presence', $item['group_id'] );
			$this->assertSame( 'Presence', $item['group_label'] );
		}
		$this->assertSame( array( 'admin/online', 'custom/room', 'postType/post:' . $post ), $this->values( $items, 'Room' ) );
		$clients = $this->values( $items, 'Client id' );
		$this->assertSame( array( 'editor-' . $u . '-tabexp001', 'mine', 'tab-' . $u . '-tabexp001' ), $clients );
		$this->assertNotContains( 'theirs', $clients );
		$this->assertContains( 'Draft in progress (#' . $post . ')', $this->values( $items, 'Post' ) );
		$this->assertContains( '{"cursor":42}', $this->values( $items, 'Other data' ) );
		$this->assertContains( 'Exported <b>User</b>', $this->values( $items, 'Display name stored with it' ), 'the value is data; core escapes it when it writes the file' );
		$this->assertSame( array( 'Do not disturb' ), $this->values( $items, 'Presence preference' ) );
		$this->assertSame( array( 'post:' . $post ), $this->values( $items, 'Screen you last saved' ) );
		$ids = wp_list_pluck( $items, 'item_id' );
		$this->assertSame( count( $ids ), count( array_unique( $ids ) ), 'item ids are unique (core merges items by id)' );
	}

	public function test_export_of_an_invisible_user_holds_their_hidden_entries() {
		$u = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $u, 'invisible' );
		$this->heartbeat( $u, $this->ping( 'tabinv001' ) );
		wp_set_presence( 'custom/room', 'mine', array( 'cursor' => 1 ), $u );
		$this->assertNotSame( array(), wp_presence_in_hidden( static fn( $store ) => $store->user_entries( $u ) ), 'the entries live in the hidden namespace' );
		$items = array_merge( ...$this->export_pages( get_userdata( $u )->user_email ) );
		$this->assertSame( array( 'admin/online', 'custom/room' ), $this->values( $items, 'Room' ) );
		$this->assertSame( array( 'Invisible' ), $this->values( $items, 'Presence preference' ) );
	}

	public function test_export_is_paginated() {
		$this->add_test_filter(
			'wp_presence_privacy_page_size',
			static function () {
				return 3;
			}
		);
		$u = $this->make_user( 'editor' );
		for ( $i = 0; $i < 7; $i++ ) {
			wp_set_presence( 'room/' . $i, 'c' . $i, array(), $u );
		}
		wp_set_user_presence_preference( $u, 'dnd' );
		$pages = $this->export_pages( get_userdata( $u )->user_email );
		$this->assertSame( array( 3, 3, 2 ), array_map( 'count', $pages ), '8 items, 3 a page' );
		$all = array_merge( ...$pages );
		$this->assertCount( 8, array_unique( wp_list_pluck( $all, 'item_id' ) ), 'no item twice, none left out' );
		$this->assertCount( 7, $this->values( $all, 'Room' ) );
	}

	public function test_unknown_or_absent_users_export_nothing() {
		$pages = $this->export_pages( 'nobody-' . wp_generate_password( 6, false ) . '@example.org' );
		$this->assertSame( array( array() ), $pages );
		$u     = $this->make_user( 'editor' );
		$pages = $this->export_pages( get_userdata( $u )->user_email );
		$this->assertSame( array( array() ), $pages, 'a user with no presence: empty, done' );
	}

	public function test_erase_removes_entries_preference_and_name_on_revisions() {
		$u     = $this->make_user( 'editor' );
		$other = $this->make_user( 'editor' );
		$post  = $this->make_post( $u );
		$this->heartbeat( $u, $this->ping( 'taberase1', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		wp_set_presence( 'custom/room', 'theirs', array(), $other );
		wp_set_user_presence_preference( $u, 'invisible' );
		wp_set_current_user( $u );
		wp_presence_bump_screen_revision( 'post:' . $post );
		$this->assertSame( $u, wp_presence_screen_revision( 'post:' . $post )['u'] );

		wp_set_current_user( $this->admin );
		$json = $this->erase( get_userdata( $u )->user_email );
		$this->assertTrue( $json['success'], wp_json_encode( $json ) );
		$this->assertTrue( $json['data']['items_removed'] );
		$this->assertFalse( $json['data']['items_retained'] );
		$this->assertTrue( $json['data']['done'] );

		$this->assertSame( array(), wp_presence_store()->user_entries( $u ) );
		$this->assertSame( array(), wp_presence_in_hidden( static fn( $store ) => $store->user_entries( $u ) ), 'an invisible user\'s entries (hidden namespace) are erased too' );
		$this->assertSame( '', get_user_meta( $u, WP_PRESENCE_PREFERENCE_META, true ) );
		$rev = wp_presence_screen_revision( 'post:' . $post );
		$this->assertSame( 0, $rev['u'], 'the save stays, without its author' );
		$this->assertSame( '', $rev['n'] );
		$this->assertNotNull( wp_presence_store()->get( 'custom/room', 'theirs' ), 'others keep theirs' );
		$this->assertSame( array( array() ), $this->export_pages( get_userdata( $u )->user_email ), 'nothing left to export' );

		// A second erase finds nothing.
		wp_set_current_user( $this->admin );
		$this->assertFalse( $this->erase( get_userdata( $u )->user_email )['data']['items_removed'] );
	}

	public function test_only_privacy_administrators_reach_the_tools() {
		$u = $this->make_user( 'editor' );
		wp_set_presence( 'custom/room', 'mine', array(), $u );
		wp_set_current_user( $this->admin );
		$request = wp_create_user_request( get_userdata( $u )->user_email, 'remove_personal_data' );
		$this->assertIsInt( $request );
		foreach ( array( 'editor', 'author', 'subscriber' ) as $role ) {
			wp_set_current_user( $this->make_user( $role ) );
			$json = $this->erase_request( $request );
			$this->assertFalse( $json['success'], $role );
			$this->assertNotNull( wp_presence_store()->get( 'custom/room', 'mine' ), $role . ' erased nothing' );
		}
	}

	public function test_suggested_policy_text() {
		global $wp_current_filter;
		require_once ABSPATH . 'wp-admin/includes/class-wp-privacy-policy-content.php';
		set_current_screen( 'dashboard' );
		$wp_current_filter[] = 'admin_init'; // wp_add_privacy_policy_content() wants to be called on admin_init.
		try {
			wp_presence_privacy_policy_content();
		} finally {
			array_pop( $wp_current_filter );
			unset( $GLOBALS['current_screen'] );
		}
		$ours = array();
		foreach ( WP_Privacy_Policy_Content::get_suggested_policy_text() as $suggestion ) {
			if ( 'Presence' === $suggestion['plugin_name'] ) {
				$ours[] = $suggestion['policy_text'];
			}
		}
		$this->assertCount( 1, $ours );
		$this->assertStringContainsString( 'which screen you are on', $ours[0] );
		$this->assertStringContainsString( 'Invisible', $ours[0] );
		// Registered without wp_kses_post() (a cost on every admin request), so it must already be
		// what kses allows: core echoes it unfiltered on the policy guide.
		$this->assertSame( wp_kses_post( $ours[0] ), $ours[0] );
	}
}
