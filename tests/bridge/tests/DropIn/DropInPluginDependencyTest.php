<?php
/**
 * A plugin with `Requires Plugins: presence-api` activates while the bridge is active (issue 11).
 *
 * @package Presence
 */

/**
 * WordPress's own plugin dependency check, through activate_plugin().
 */
class DropInPluginDependencyTest extends Presence_TestCase {

	/**
	 * The fixture plugin, relative to the plugins directory.
	 */
	const CALLER = 'presence-api-caller/presence-api-caller.php';

	/**
	 * Installs the fixture plugin and forgets what WordPress knew about plugins.
	 */
	protected function setUp(): void {
		parent::setUp();
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		wp_mkdir_p( WP_PLUGIN_DIR . '/presence-api-caller' );
		copy( dirname( __DIR__, 2 ) . '/fixtures/' . self::CALLER, WP_PLUGIN_DIR . '/' . self::CALLER );
		self::forget_plugins();
	}

	/**
	 * Removes the fixture plugin.
	 */
	protected function tearDown(): void {
		deactivate_plugins( self::CALLER, true );
		wp_delete_file( WP_PLUGIN_DIR . '/' . self::CALLER );
		rmdir( WP_PLUGIN_DIR . '/presence-api-caller' );
		self::forget_plugins();
		parent::tearDown();
	}

	/**
	 * Empties the plugin list cache and WP_Plugin_Dependencies' per-process state (it reads the
	 * headers once per process).
	 *
	 * @return void
	 */
	private static function forget_plugins() {
		wp_clean_plugins_cache( false );
		$class    = new ReflectionClass( 'WP_Plugin_Dependencies' );
		$defaults = $class->getDefaultProperties();
		foreach ( $class->getProperties( ReflectionProperty::IS_STATIC ) as $prop ) {
			$prop->setAccessible( true );
			$prop->setValue( null, array_key_exists( $prop->getName(), $defaults ) ? $defaults[ $prop->getName() ] : null );
		}
	}

	public function test_a_plugin_requiring_presence_api_activates_with_the_bridge() {
		$this->assertSame( 10, has_filter( 'wp_plugin_dependencies_slug', 'wp_presence_dependency_slug' ) );
		$this->assertSame( 'presence-api', get_plugin_data( WP_PLUGIN_DIR . '/' . self::CALLER, false, false )['RequiresPlugins'] );
		$bridge = plugin_basename( WP_PRESENCE_BRIDGE_FILE );
		$this->assertTrue( is_plugin_active( $bridge ) );

		$result = activate_plugin( self::CALLER );
		$this->assertNull( $result, is_wp_error( $result ) ? $result->get_error_message() : '' );
		$this->assertTrue( is_plugin_active( self::CALLER ) );
		$this->assertSame( $bridge, WP_Plugin_Dependencies::get_dependency_filepath( wp_presence_bridge_slug() ) );
	}

	public function test_without_the_stand_in_wordpress_refuses_it() {
		$this->add_test_filter( 'wp_presence_stands_in_for_presence_api', '__return_false' );
		$result = activate_plugin( self::CALLER );
		$this->assertWPErrorCode( $result, 'plugin_missing_dependencies' );
		$this->assertFalse( is_plugin_active( self::CALLER ) );
	}

	/**
	 * Asserts a WP_Error's code.
	 *
	 * @param mixed  $result Result.
	 * @param string $code   Expected code.
	 * @return void
	 */
	private function assertWPErrorCode( $result, $code ) {
		$this->assertInstanceOf( 'WP_Error', $result );
		$this->assertSame( $code, $result->get_error_code() );
	}
}
