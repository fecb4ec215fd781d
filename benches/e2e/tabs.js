'use strict';
/**
 * benches/e2e/tabs.js: Heartbeat requests per user per minute with three tabs open.
 *
 * Usage: node tabs.js URL LOGIN PASSWORD SECONDS before|after
 *
 * Logs LOGIN in with headless Chromium (Debian's /usr/bin/chromium through the tests' playwright-core),
 * opens the dashboard, the posts list and the profile in three tabs, waits for them to settle, then
 * counts for SECONDS every Heartbeat request (admin-ajax.php action=heartbeat) and those carrying
 * `wp-presence`. Core's own Heartbeat interval applies (60 s; 120 s in a tab without focus).
 * `before` sets the cookie bench_presence_js=before, which benches/e2e/mu-bench.php answers with the
 * admin UI's script as it was before the leader tab. Prints one JSON line.
 */
const path = require( 'node:path' );
const { chromium } = require( path.join( __dirname, '../../tests/browser/node_modules/playwright-core' ) );

const [ , , url, login, password, secondsArg, label ] = process.argv;
if ( ! url || ! login || ! password || ! secondsArg || ! [ 'before', 'after' ].includes( label ) ) {
	process.stderr.write( 'usage: node tabs.js URL LOGIN PASSWORD SECONDS before|after\n' );
	process.exit( 2 );
}
const seconds = Math.max( 30, parseInt( secondsArg, 10 ) || 180 );
const SETTLE_MS = 15000;

function sleep( ms ) {
	return new Promise( ( resolve ) => setTimeout( resolve, ms ) );
}

( async () => {
	const browser = await chromium.launch( {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: [ '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync' ],
	} );
	try {
		const context = await browser.newContext( { baseURL: url, viewport: { width: 1280, height: 860 } } );
		await context.route( '**/*', ( route ) => {
			const host = new URL( route.request().url() ).hostname;
			return '127.0.0.1' === host || 'localhost' === host ? route.continue() : route.abort( 'blockedbyclient' );
		} );
		if ( 'before' === label ) {
			await context.addCookies( [ { name: 'bench_presence_js', value: 'before', url } ] );
		}
		const first = await context.newPage();
		await first.goto( '/wp-login.php' );
		await first.fill( '#user_login', login );
		await first.fill( '#user_pass', password );
		await Promise.all( [ first.waitForURL( /\/wp-admin\/?/ ), first.click( '#wp-submit' ) ] );
		const pages = [ first ];
		for ( const where of [ '/wp-admin/edit.php', '/wp-admin/profile.php' ] ) {
			const page = await context.newPage();
			await page.goto( where );
			pages.push( page );
		}
		for ( const page of pages ) {
			await page.waitForFunction( () => !! window.wpPresence, null, { timeout: 15000 } );
		}
		await sleep( SETTLE_MS );

		const counts = pages.map( () => ( { heartbeat: 0, presence: 0 } ) );
		pages.forEach( ( page, i ) => {
			page.on( 'request', ( request ) => {
				const body = request.postData() || '';
				if ( 'POST' !== request.method() || ! request.url().includes( 'admin-ajax.php' ) || ! /(^|&)action=heartbeat(&|$)/.test( body ) ) {
					return;
				}
				counts[ i ].heartbeat++;
				if ( body.includes( 'data%5Bwp-presence%5D' ) ) {
					counts[ i ].presence++;
				}
			} );
		} );
		await sleep( seconds * 1000 );
		const roles = await Promise.all(
			pages.map( ( page ) => page.evaluate( () => ( window.wpPresence.isLeader ? ( window.wpPresence.isLeader() ? 'leader' : 'follower' ) : 'own' ) ) )
		);
		const intervals = await Promise.all( pages.map( ( page ) => page.evaluate( () => window.wp.heartbeat.interval() ) ) );
		const minutes = seconds / 60;
		const sum = ( key ) => counts.reduce( ( total, count ) => total + count[ key ], 0 );
		process.stdout.write(
			JSON.stringify( {
				label,
				tabs: pages.length,
				seconds,
				heartbeat_per_minute: +( sum( 'heartbeat' ) / minutes ).toFixed( 2 ),
				presence_per_minute: +( sum( 'presence' ) / minutes ).toFixed( 2 ),
				per_tab: counts.map( ( count, i ) => ( { role: roles[ i ], interval: intervals[ i ], heartbeat: count.heartbeat, presence: count.presence } ) ),
			} ) + '\n'
		);
	} finally {
		await browser.close();
	}
} )().catch( ( error ) => {
	process.stderr.write( String( error && error.stack ? error.stack : error ) + '\n' );
	process.exit( 1 );
} );
