<?php
/**
 * The real-time collaboration caller's poll, measured on the active backend: write one
 * awareness entry and read the room, as the sync-storage plugin does every poll.
 *
 * Not part of the bridge suite (it lives outside tests/bridge/tests); benches/collab/run.sh runs
 * it in the extension, sql and redis passes of tests/bridge/run.sh and appends one JSON line per
 * pass and variant to $COLLAB_BENCH_OUT.
 *
 * Variants, each POLLS polls in a room of 3 clients (2 people, one in two windows):
 *   old-moved       wp_set_presence() + wp_get_presence(), the cursor moved (a real write)
 *   exchange-moved  wp_presence_exchange(), the cursor moved
 *   old-idle        wp_set_presence() + wp_get_presence(), nothing changed since the last poll
 *   exchange-idle   wp_presence_exchange(), nothing changed
 * Per poll: SQL queries ($wpdb->num_queries), and the median wall time. VARIANTS (space-separated)
 * picks some: `VARIANTS="old-moved old-idle"` also runs on a bridge without wp_presence_exchange()
 * (the baseline of benches/RESULTS.md's section, main's bridge).
 *
 * @package Presence
 */

/**
 * One "test" per pass: the measurement.
 */
class CollabPollBench extends Presence_TestCase {

	/**
	 * A Yjs-like awareness state.
	 *
	 * @param string $name  Name.
	 * @param int    $clock Cursor position.
	 * @return array
	 */
	private static function state( $name, $clock ) {
		return array(
			'user'      => array( 'name' => $name, 'color' => '#3858e9' ),
			'cursor'    => array(
				'anchor' => array( 'item' => array( 'client' => 1838452031, 'clock' => $clock ), 'assoc' => 0 ),
				'head'   => array( 'item' => array( 'client' => 1838452031, 'clock' => $clock + 3 ), 'assoc' => -1 ),
			),
			'selection' => array( 'blockIds' => array( 'a1b2' ) ),
		);
	}

	public function test_poll() {
		global $wpdb;
		$polls = max( 10, (int) getenv( 'POLLS' ) ? (int) getenv( 'POLLS' ) : 300 );
		$ada   = $this->make_user( 'editor' );
		$bob   = $this->make_user( 'editor' );
		$post  = $this->make_post( $ada );
		$room  = wp_presence_post_room( $post );
		wp_set_presence( $room, 902113, self::state( 'Ada', 1 ), $ada );
		wp_set_presence( $room, 4000000001, self::state( 'Bob', 1 ), $bob );
		wp_set_current_user( $ada );
		wp_set_presence( $room, 1838452031, self::state( 'Ada', 1 ), $ada );

		$out   = getenv( 'COLLAB_BENCH_OUT' );
		$clock = 10;
		$variants = getenv( 'VARIANTS' ) ? preg_split( '/\s+/', trim( (string) getenv( 'VARIANTS' ) ) ) : array( 'old-moved', 'exchange-moved', 'old-idle', 'exchange-idle' );
		foreach ( $variants as $variant ) {
			$moved   = false !== strpos( $variant, 'moved' );
			$times   = array();
			$queries = 0;
			for ( $i = 0; $i < $polls; $i++ ) {
				if ( $moved ) {
					++$clock;
				}
				$state = self::state( 'Ada', $clock );
				WP_Presence_Testing::reset_caches(); // Every poll is a new request.
				$q0 = $wpdb->num_queries;
				$t0 = hrtime( true );
				if ( 0 === strpos( $variant, 'old' ) ) {
					wp_set_presence( $room, 1838452031, $state, $ada );
					$entries = wp_get_presence( $room );
				} else {
					$entries = wp_presence_exchange( $room, 1838452031, $state, $ada );
				}
				$times[]  = hrtime( true ) - $t0;
				$queries += $wpdb->num_queries - $q0;
				$this->assertCount( 3, $entries );
			}
			$this->assertSame( self::state( 'Ada', $clock ), wp_get_presence( $room, null, '1838452031' )[0]->data );
			sort( $times );
			$line = wp_json_encode(
				array(
					'backend'          => wp_presence_backend(),
					'variant'          => $variant,
					'polls'            => $polls,
					'queries_per_poll' => round( $queries / $polls, 2 ),
					'median_us'        => round( $times[ (int) floor( count( $times ) / 2 ) ] / 1000, 1 ),
				)
			);
			fwrite( STDOUT, "\nCOLLAB " . $line . "\n" ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			if ( $out ) {
				file_put_contents( $out, $line . "\n", FILE_APPEND ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			}
		}
	}
}
