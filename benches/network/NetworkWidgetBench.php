<?php
/**
 * Bench (not a test): the network Who's Online widget over 1000 sites with 15 people online on
 * each. Run by benches/network/run.sh through the bridge harness's multisite pass; prints its
 * numbers and asserts nothing about speed.
 *
 * The sites: 10 real ones (wp_insert_site(), the ones the widget shows, since ties go to the
 * lowest blog id) and 990 rows written straight into wp_blogs (creating 1000 real sites takes
 * many minutes); every one gets 15 entries in `admin/online` of its namespace, written into the
 * store directly, as 15 tabs of 15 of 150 users.
 *
 * @package Presence
 */

/**
 * Times the widget and its parts.
 */
class NetworkWidgetBench extends Presence_TestCase {

	const SITES    = 1000;
	const REAL     = 10;
	const PER_SITE = 15;
	const USERS    = 150;
	const ROUNDS   = 15;

	/**
	 * Median of a list of milliseconds.
	 *
	 * @param float[] $ms Times.
	 * @return float
	 */
	private static function median( array $ms ) {
		sort( $ms );
		return $ms[ intdiv( count( $ms ), 2 ) ];
	}

	/**
	 * Runs $fn ROUNDS times, each after emptying the per-request caches, and returns the median.
	 *
	 * @param callable $fn Work.
	 * @return float Milliseconds.
	 */
	private static function time( callable $fn ) {
		$ms = array();
		for ( $i = 0; $i < self::ROUNDS; $i++ ) {
			wp_cache_flush();
			WP_Presence_Testing::reset_caches();
			$t0   = hrtime( true );
			$fn();
			$ms[] = ( hrtime( true ) - $t0 ) / 1e6;
		}
		return self::median( $ms );
	}

	public function test_widget_over_1000_sites() {
		global $wpdb;
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'The bench runs on the multisite pass.' );
		}
		$users = array();
		for ( $i = 0; $i < self::USERS; $i++ ) {
			$users[] = $this->make_user( 'editor' );
		}
		$ids = array();
		for ( $i = 0; $i < self::REAL; $i++ ) {
			$ids[] = (int) wp_insert_site(
				array(
					'domain' => get_network()->domain,
					'path'   => '/bench' . $i . '/',
					'title'  => 'Bench ' . $i,
				)
			);
		}
		$values = array();
		for ( $i = self::REAL; $i < self::SITES; $i++ ) {
			$values[] = $wpdb->prepare( '(%d, %s, %s, NOW(), NOW(), 1)', get_current_network_id(), get_network()->domain, '/fake' . $i . '/' );
		}
		// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- each row prepared above.
		$wpdb->query( "INSERT INTO {$wpdb->blogs} (site_id, domain, path, registered, last_updated, public) VALUES " . implode( ',', $values ) );
		$fake = array_map( 'intval', $wpdb->get_col( "SELECT blog_id FROM {$wpdb->blogs} WHERE path LIKE '/fake%'" ) ); // phpcs:ignore
		$all  = array_merge( $ids, $fake );
		$this->assertCount( self::SITES, $all );
		wp_cache_set_last_changed( 'sites' ); // get_sites() must see the rows written above.
		wp_cache_flush();

		$store = wp_presence_store();
		$keep  = $store->get_namespace();
		$t0    = hrtime( true );
		foreach ( $all as $n => $blog_id ) {
			$store->set_namespace( wp_presence_namespace( $blog_id ) );
			for ( $k = 0; $k < self::PER_SITE; $k++ ) {
				$uid = $users[ ( $n + $k * 7 ) % self::USERS ];
				$store->upsert( 'admin/online', 'tab-' . $uid . '-bench' . $k . 'xyz', $uid, array( 'screen' => 'dashboard', 'activity' => 'online' ), 600 );
			}
		}
		$store->set_namespace( $keep );
		$write_ms = ( hrtime( true ) - $t0 ) / 1e6;

		wp_set_current_user( $this->make_user( 'administrator' ) );
		grant_super_admin( get_current_user_id() );

		$html   = '';
		$widget = self::time(
			static function () use ( &$html ) {
				ob_start();
				wp_presence_ui_network_widget();
				$html = ob_get_clean();
			}
		);
		$this->assertStringContainsString( '1,000 sites', $html, 'every site counted' );
		$this->assertStringContainsString( 'data-blog-id="' . $ids[0] . '"', $html );

		$counts = self::time(
			static function () use ( $all ) {
				wp_presence_network_counts( $all );
			}
		);
		$sites  = self::time(
			static function () {
				get_sites( wp_presence_network_sites_query( array( 'fields' => 'ids', 'number' => 0 ) ) );
			}
		);
		// Baseline, same session: one read of the room per site (what a loop over the sites costs).
		$per_site = self::time(
			static function () use ( $all, $store, $keep ) {
				foreach ( $all as $blog_id ) {
					$store->set_namespace( wp_presence_namespace( $blog_id ) );
					$store->room( 'admin/online' );
				}
				$store->set_namespace( $keep );
			}
		);
		$out = array(
			'backend'                => wp_presence_backend(),
			'sites'                  => self::SITES,
			'entries'                => self::SITES * self::PER_SITE,
			'write_all_ms'           => round( $write_ms, 1 ),
			'widget_ms'              => round( $widget, 2 ),
			'counts_one_call_ms'     => round( $counts, 2 ),
			'get_sites_ids_ms'       => round( $sites, 2 ),
			'per_site_room_reads_ms' => round( $per_site, 2 ),
			'per_site_over_one_call' => round( $per_site / max( 0.001, $counts ), 1 ),
			'rounds'                 => self::ROUNDS,
		);
		fwrite( STDERR, 'NETWORK-BENCH ' . wp_json_encode( $out ) . "\n" );
		file_put_contents( getenv( 'NETWORK_BENCH_OUT' ) ? getenv( 'NETWORK_BENCH_OUT' ) : '/dev/null', wp_json_encode( $out ) . "\n", FILE_APPEND );

		foreach ( $all as $blog_id ) {
			$store->set_namespace( wp_presence_namespace( $blog_id ) );
			$store->clear();
		}
		$store->set_namespace( $keep );
	}
}
