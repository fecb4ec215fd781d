<?php
/**
 * benches/e2e/profile-prepend.php: php-fpm auto_prepend_file for `benches/e2e/run.sh --profile`.
 *
 * Samples every admin-ajax request with Excimer (CPU time, every PRESENCE_PROFILE_PERIOD_US µs,
 * default 250) from its first line to the very end of shutdown, and appends the stacks in collapsed
 * form ("frame;frame;frame count") to PRESENCE_PROFILE_DIR/collapsed-<pid>.txt. Does nothing when
 * Excimer is not loaded or PRESENCE_PROFILE_DIR is not set (php-fpm runs with clear_env = no).
 *
 * @package Presence
 */

if ( class_exists( 'ExcimerProfiler' ) && getenv( 'PRESENCE_PROFILE_DIR' ) && false !== strpos( $_SERVER['REQUEST_URI'] ?? '', 'admin-ajax.php' ) ) {
	$GLOBALS['presence_profiler'] = new ExcimerProfiler();
	$GLOBALS['presence_profiler']->setPeriod( ( (int) ( getenv( 'PRESENCE_PROFILE_PERIOD_US' ) ?: 250 ) ) / 1e6 );
	$GLOBALS['presence_profiler']->setEventType( EXCIMER_CPU );
	$GLOBALS['presence_profiler']->setMaxDepth( 200 );
	$GLOBALS['presence_profiler']->start();
	register_shutdown_function(
		static function () {
			// Registered from a shutdown function, so it runs after WordPress's own shutdown work.
			register_shutdown_function(
				static function () {
					$p = $GLOBALS['presence_profiler'];
					$p->stop();
					file_put_contents(
						getenv( 'PRESENCE_PROFILE_DIR' ) . '/collapsed-' . getmypid() . '.txt',
						$p->getLog()->formatCollapsed(),
						FILE_APPEND | LOCK_EX
					);
				}
			);
		}
	);
}
