<?php
/**
 * The changes path gives up at the row bound before the store builds any entry
 * (presence_changes() with `$max_users`), and still answers with changes up to it.
 *
 * @package Presence
 */

/**
 * Extension pass: the only store with a change log.
 */
class ViewChangesBoundTest extends Presence_TestCase {

	protected function setUp(): void {
		parent::setUp();
		if ( 'extension' !== wp_presence_backend() ) {
			$this->markTestSkipped( 'Only the extension keeps a change log.' );
		}
	}

	/**
	 * The viewer's first tick and the `seen` it would send next.
	 *
	 * @param int $viewer Viewer.
	 * @return array seen
	 */
	private function first_tick( $viewer ) {
		$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		return array( 'admin/online' => (string) $reply['rooms']['admin/online']['version'] );
	}

	/**
	 * Moves users to another screen (one Heartbeat each).
	 *
	 * @param int[] $users Users (indexes into bring_online()'s list are their tabs).
	 * @param array $all   Every user brought online, to find each one's tab.
	 */
	private function move( array $users, array $all ) {
		foreach ( $users as $uid ) {
			$this->heartbeat( $uid, $this->ping( 'tabonline' . array_search( $uid, $all, true ), array( 'screen' => 'upload' ) ), 'upload' );
		}
	}

	public function test_as_many_changed_users_as_the_bound_come_as_changes_with_the_viewer_not_counted() {
		$this->cap_rows( 3 );
		$users  = $this->bring_online( 6 );
		$viewer = $this->make_user( 'editor' );
		$seen   = $this->first_tick( $viewer );
		$this->move( array_slice( $users, 0, 3 ), $users );
		// The viewer's own tab changed too: 4 users in the log, 3 of them others (the bound).
		$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1, 'seen' => $seen, 'screen' => 'profile' ) ), 'profile' )['wp-presence']['rooms']['admin/online'];
		$this->assertTrue( ! empty( $reply['changes'] ), 'changes, not rows' );
		$ids = array_map( 'intval', wp_list_pluck( $reply['users'], 'user_id' ) );
		sort( $ids );
		$expected = array_merge( array_slice( $users, 0, 3 ), array( $viewer ) );
		sort( $expected );
		$this->assertSame( $expected, $ids );
		$this->assertSame( 7, $reply['total'] );
	}

	public function test_one_changed_user_past_the_bound_brings_the_first_rows_and_the_total() {
		$this->cap_rows( 3 );
		$users  = $this->bring_online( 6 );
		$viewer = $this->make_user( 'editor' );
		$seen   = $this->first_tick( $viewer );
		WP_Presence_Testing::advance( 1 );
		$this->move( array_slice( $users, 0, 4 ), $users );
		$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1, 'seen' => $seen ) ) )['wp-presence']['rooms']['admin/online'];
		$this->assertArrayNotHasKey( 'changes', $reply, 'rows: 4 others changed, the bound is 3' );
		$this->assertSame( 7, $reply['total'] );
		$this->assertCount( 4, $reply['users'], '3 rows and the viewer' );
		// The store itself answers null past the bound and the changes within it.
		$this->assertNull( wp_presence_store()->changes( 'admin/online', (int) $seen['admin/online'], 3 ) );
		$this->assertIsArray( wp_presence_store()->changes( 'admin/online', (int) $seen['admin/online'], 4 ) );
		$this->assertIsArray( wp_presence_store()->changes( 'admin/online', (int) $seen['admin/online'] ), 'no bound' );
	}
}
