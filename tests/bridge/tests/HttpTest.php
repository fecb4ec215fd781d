<?php
/**
 * Over real HTTP: php-fpm (4 workers) + nginx started by run.sh (scripts/stack/start.sh).
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/class-presence-http-testcase.php';

/**
 * Cross-worker Heartbeat and REST headers as served.
 */
class HttpTest extends Presence_Http_TestCase {

	/**
	 * Base URL.
	 *
	 * @return string
	 */
	private function url() {
		return rtrim( (string) getenv( 'PRESENCE_TEST_URL' ), '/' );
	}

	/**
	 * A user with auth cookies and nonces, as a logged-in browser has them.
	 *
	 * @return array id, cookie, heartbeat_nonce, rest_nonce.
	 */
	private function browser_user() {
		return $this->session_user( 'editor' );
	}

	/**
	 * A curl handle for a Heartbeat.
	 *
	 * @param array  $user User from browser_user().
	 * @param string $tab  Tab id.
	 * @param int    $slow Milliseconds the worker should sleep (spreads requests over workers).
	 * @return resource|CurlHandle
	 */
	private function heartbeat_handle( array $user, $tab, $slow = 0 ) {
		$ch = curl_init( $this->url() . '/wp-admin/admin-ajax.php' );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_POST           => true,
				CURLOPT_POSTFIELDS     => http_build_query(
					array(
						'action'    => 'heartbeat',
						'_nonce'    => $user['heartbeat_nonce'],
						'screen_id' => 'dashboard',
						'has_focus' => 'false',
						'interval'  => 60,
						'data'      => array( 'wp-presence' => array( 'tab' => $tab, 'screen' => 'dashboard', 'activity' => 'online' ) ),
					)
				),
				CURLOPT_HTTPHEADER     => array_filter( array( 'Cookie: ' . $user['cookie'], $slow ? 'X-Presence-Slow: ' . $slow : '' ) ),
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HEADER         => true,
				CURLOPT_TIMEOUT        => 30,
				CURLOPT_FORBID_REUSE   => true,
			)
		);
		return $ch;
	}

	/**
	 * Splits a raw response.
	 *
	 * @param resource|CurlHandle $ch  Handle.
	 * @param string              $raw Raw response.
	 * @return array status, headers (lower-case names), body.
	 */
	private function parse( $ch, $raw ) {
		$size    = curl_getinfo( $ch, CURLINFO_HEADER_SIZE );
		$headers = array();
		foreach ( explode( "\r\n", substr( (string) $raw, 0, $size ) ) as $line ) {
			if ( false !== strpos( $line, ':' ) ) {
				list( $k, $v )                 = explode( ':', $line, 2 );
				$headers[ strtolower( $k ) ] = trim( $v );
			}
		}
		return array(
			'status'  => (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ),
			'headers' => $headers,
			'body'    => substr( (string) $raw, $size ),
		);
	}

	/**
	 * Sends one request.
	 *
	 * @param resource|CurlHandle $ch Handle.
	 * @return array
	 */
	private function send( $ch ) {
		$raw = curl_exec( $ch );
		$this->assertNotFalse( $raw, curl_error( $ch ) );
		return $this->parse( $ch, $raw );
	}

	public function test_heartbeat_written_by_one_worker_is_seen_by_another() {
		$a = $this->browser_user();
		$b = $this->browser_user();

		$first = $this->send( $this->heartbeat_handle( $a, 'tabhttpa1' ) );
		$this->assertSame( 200, $first['status'], $first['body'] );
		$this->assertArrayHasKey( 'x-presence-worker', $first['headers'], 'test mu-plugin loaded' );
		$writer = $first['headers']['x-presence-worker'];
		$this->assertSame( getenv( 'PRESENCE_TEST_BACKEND' ), $first['headers']['x-presence-backend'], 'php-fpm runs the backend of this pass' );
		$reply  = json_decode( $first['body'], true );
		$this->assertContains( $a['id'], $this->ids( $reply['wp-presence']['rooms']['admin/online']['users'] ), $first['body'] );

		// b polls from 4 connections at once (one per worker; more than the pool would queue
		// behind nginx's kept-alive upstream connections), each request held for 300 ms so
		// that all four workers are busy together and at least one is not the writer.
		$seen_by_other = array();
		$workers       = array();
		for ( $round = 0; $round < 5 && ! $seen_by_other; $round++ ) {
			$multi   = curl_multi_init();
			$handles = array();
			for ( $i = 0; $i < 4; $i++ ) {
				$handles[ $i ] = $this->heartbeat_handle( $b, 'tabhttpb' . $round . $i, 300 );
				curl_multi_add_handle( $multi, $handles[ $i ] );
			}
			do {
				$status = curl_multi_exec( $multi, $running );
				if ( $running ) {
					curl_multi_select( $multi, 1.0 );
				}
			} while ( $running && CURLM_OK === $status );
			foreach ( $handles as $ch ) {
				$res = $this->parse( $ch, curl_multi_getcontent( $ch ) );
				curl_multi_remove_handle( $multi, $ch );
				$this->assertSame( 200, $res['status'], $res['body'] );
				$pid             = $res['headers']['x-presence-worker'];
				$workers[ $pid ] = true;
				if ( $pid !== $writer ) {
					$seen_by_other[ $pid ] = $this->ids( json_decode( $res['body'], true )['wp-presence']['rooms']['admin/online']['users'] );
				}
			}
			curl_multi_close( $multi );
		}
		$this->assertNotEmpty( $seen_by_other, 'no request reached a worker other than ' . $writer . ' (workers: ' . implode( ',', array_keys( $workers ) ) . ')' );
		foreach ( $seen_by_other as $pid => $ids ) {
			$this->assertContains( $a['id'], $ids, "worker $pid sees the entry worker $writer wrote" );
			$this->assertContains( $b['id'], $ids );
		}
	}

	public function test_rest_headers_over_http() {
		$a  = $this->browser_user();
		$ch = curl_init( $this->url() . '/index.php?rest_route=/wp-presence/v1/presence&room=admin/online&per_page=0' );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HEADER         => true,
				CURLOPT_HTTPHEADER     => array( 'Cookie: ' . $a['cookie'], 'X-WP-Nonce: ' . $a['rest_nonce'] ),
			)
		);
		$res = $this->send( $ch );
		$this->assertSame( 400, $res['status'], $res['body'] );
		$this->assertSame( 'no-store', $res['headers']['cache-control'] );

		$ch = curl_init( $this->url() . '/index.php?rest_route=/wp-presence/v1/presence&room=admin/online' );
		curl_setopt_array( $ch, array( CURLOPT_RETURNTRANSFER => true, CURLOPT_HEADER => true ) );
		$res = $this->send( $ch );
		$this->assertSame( 401, $res['status'], $res['body'] );
		$this->assertSame( 'no-store', $res['headers']['cache-control'] );

		// pagehide: DELETE with the nonce removes the tab's entry, seen by the next Heartbeat.
		$this->send( $this->heartbeat_handle( $a, 'tabhttpc1' ) );
		$ch = curl_init( $this->url() . '/index.php?rest_route=/wp-presence/v1/presence&room=admin/online&client_id=tab-' . $a['id'] . '-tabhttpc1' );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => 'DELETE',
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HEADER         => true,
				CURLOPT_HTTPHEADER     => array( 'Cookie: ' . $a['cookie'], 'X-WP-Nonce: ' . $a['rest_nonce'] ),
			)
		);
		$res = $this->send( $ch );
		$this->assertSame( 200, $res['status'], $res['body'] );
		$this->assertSame( 'no-store', $res['headers']['cache-control'] );
		$this->assertSame( array( 'deleted' => true, 'room' => 'admin/online' ), json_decode( $res['body'], true ) );
	}
}
