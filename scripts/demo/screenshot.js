/**
 * scripts/demo/screenshot.js: logs in to the running demo as admin and saves full-page screenshots
 * of the dashboard and the posts list (Debian's Chromium through the browser tests' playwright-core;
 * run `tests/browser/run.sh` once, or `npm ci` in tests/browser, to have it).
 *
 * Usage: node scripts/demo/screenshot.js [URL (http://127.0.0.1:8080)] [OUT_DIR (.build/demo)]
 */
const { chromium } = require( require( 'path' ).join( __dirname, '../../tests/browser/node_modules/playwright-core' ) );
( async () => {
	const browser = await chromium.launch( { executablePath: '/usr/bin/chromium', headless: true, args: [ '--no-sandbox', '--disable-gpu' ] } );
	const context = await browser.newContext( { viewport: { width: 1400, height: 1000 } } );
	await context.route( '**/*', ( route ) => {
		const url = new URL( route.request().url() );
		return ( '127.0.0.1' === url.hostname || 'data:' === url.protocol ) ? route.continue() : route.abort();
	} );
	const page = await context.newPage();
	const base = process.argv[ 2 ] || 'http://127.0.0.1:8080';
	const out = process.argv[ 3 ] || require( 'path' ).join( __dirname, '../../.build/demo' );
	await page.goto( base + '/wp-login.php' );
	await page.fill( '#user_login', 'admin' );
	await page.fill( '#user_pass', 'password' );
	await Promise.all( [ page.waitForNavigation(), page.click( '#wp-submit' ) ] );
	for ( const [ path, file ] of [ [ '/wp-admin/', 'dashboard.png' ], [ '/wp-admin/edit.php', 'posts.png' ] ] ) {
		await page.goto( base + path );
		await page.waitForTimeout( 2500 );
		await page.screenshot( { path: require( 'path' ).join( out, file ), fullPage: true } );
	}
	await browser.close();
} )().catch( ( e ) => { console.error( e ); process.exit( 1 ); } );
