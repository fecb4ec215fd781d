<?php
/**
 * The `presence` text domain: loaded for a locale that has a translation, marked unloaded for
 * one that has none (so a tick's first string costs no look-up of language files).
 *
 * @package Presence
 */

/**
 * Translations with and without a file for the locale.
 *
 * @since 1.4.0
 */
class TextdomainTest extends Presence_TestCase {

	/**
	 * The language pack this test writes.
	 *
	 * @var string
	 */
	private $pack = '';

	protected function tearDown(): void {
		if ( '' !== $this->pack && file_exists( $this->pack ) ) {
			unlink( $this->pack );
		}
		wp_presence_select_textdomain( determine_locale() );
		do_action( 'change_locale', determine_locale() );
		parent::tearDown();
	}

	/**
	 * Writes a language pack for `presence` in wp-content/languages/plugins/ (the PHP format
	 * load_textdomain() reads since WordPress 6.5).
	 *
	 * @param string $locale   Locale.
	 * @param array  $messages Translations by English text.
	 */
	private function write_pack( $locale, array $messages ) {
		$dir = WP_LANG_DIR . '/plugins';
		wp_mkdir_p( $dir );
		$this->pack = "$dir/presence-$locale.l10n.php";
		file_put_contents( $this->pack, '<?php return ' . var_export( array( 'messages' => $messages ), true ) . ';' );
		wp_cache_delete( md5( $dir . '/' ), 'translation_files' ); // The registry's memo of the folder.
	}

	public function test_a_locale_without_a_translation_leaves_the_domain_unloaded_and_english() {
		$this->assertFalse( wp_presence_has_translation( 'en_US' ) );
		wp_presence_select_textdomain( 'en_US' );
		$this->assertTrue( ! empty( $GLOBALS['l10n_unloaded']['presence'] ), 'nothing to look for' );
		$this->assertFalse( is_textdomain_loaded( 'presence' ) );
		$this->assertSame( 'Online', __( 'Online', 'presence' ) );
		// The gettext filters still run on the English text.
		$this->add_test_filter(
			'gettext_presence',
			static function ( $translation ) {
				return 'filtered ' . $translation;
			}
		);
		$this->assertSame( 'filtered Away', __( 'Away', 'presence' ) );
	}

	public function test_a_language_pack_is_loaded_for_its_locale_and_a_switch_back_is_english_again() {
		$this->write_pack( 'de_DE', array( 'Online' => 'Anwesend', 'Dashboard' => 'Übersicht' ) );
		$this->assertTrue( wp_presence_has_translation( 'de_DE' ) );
		$this->assertFalse( wp_presence_has_translation( 'fr_FR' ) );

		$de = static function () {
			return 'de_DE';
		};
		$this->add_test_filter( 'determine_locale', $de );
		do_action( 'change_locale', 'de_DE' ); // As switch_to_locale() does (core files for de_DE are not installed).
		$this->assertTrue( empty( $GLOBALS['l10n_unloaded']['presence'] ), 'a file to load' );
		$this->assertSame( 'Anwesend', wp_presence_status_label( 'online' ) );
		$this->assertSame( 'Übersicht', wp_presence_screen_label( 'dashboard' ) );
		$this->assertSame( 'Away', wp_presence_status_label( 'away' ), 'untranslated strings stay English' );

		remove_filter( 'determine_locale', $de );
		unload_textdomain( 'presence', true ); // As the locale switcher does for the loaded domains.
		do_action( 'change_locale', 'en_US' );
		$this->assertTrue( ! empty( $GLOBALS['l10n_unloaded']['presence'] ) );
		$this->assertSame( 'Online', wp_presence_status_label( 'online' ) );
	}
}
