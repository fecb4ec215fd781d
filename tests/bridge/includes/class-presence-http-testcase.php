<?php
/**
 * Base class of the tests that send real HTTP requests to the php-fpm + nginx stack run.sh
 * starts (scripts/stack/start.sh).
 *
 * @package Presence
 */

require_once __DIR__ . '/trait-presence-browser-session.php';

/**
 * Skips without the stack, commits fixtures (php-fpm is another process), and deletes the
 * session users a test made.
 */
abstract class Presence_Http_TestCase extends Presence_TestCase {

	use Presence_Browser_Session;

	/**
	 * Fixtures must be committed so php-fpm sees them.
	 *
	 * @var bool
	 */
	protected $use_transaction = false;

	protected function setUp(): void {
		$this->require_http_stack();
		parent::setUp();
	}

	protected function tearDown(): void {
		$this->delete_session_users();
		parent::tearDown();
	}
}
