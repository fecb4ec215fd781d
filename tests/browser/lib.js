'use strict';
/**
 * Helpers for the browser tests: launching Debian's Chromium through
 * playwright-core, logging users in, and waiting on what a page shows.
 */
const fs = require( 'node:fs' );
const path = require( 'node:path' );
const { chromium } = require( 'playwright-core' );

const BASE_URL = process.env.PRESENCE_TEST_URL || 'http://127.0.0.1:8102';
const SETUP = JSON.parse( fs.readFileSync( process.env.PRESENCE_TEST_SETUP || path.join( __dirname, '../../.build/browser/setup.json' ), 'utf8' ) );
const SCREENSHOTS = process.env.PRESENCE_TEST_SCREENSHOTS || path.join( __dirname, '../../.build/browser/screenshots' );
const ARTIFACTS = process.env.PRESENCE_TEST_ARTIFACTS || path.join( __dirname, '../../.build/browser/artifacts' );
const PASSWORD = 'presence-test';
/** Heartbeat interval the test mu-plugin sets (seconds). */
const TICK = 5;

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	// Keep background tabs' timers running like a foreground tab's.
	'--disable-background-timer-throttling',
	'--disable-renderer-backgrounding',
	'--disable-backgrounding-occluded-windows',
];

async function launch() {
	return chromium.launch( {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: CHROMIUM_ARGS,
	} );
}

/**
 * A logged-in user in its own browser context (own cookies, own sessionStorage).
 *
 * @param {import('playwright-core').Browser} browser Browser.
 * @param {string}                            login   User login.
 * @param {Object}                            options cookies: extra cookies ({name: value}).
 */
async function loginAs( browser, login, options = {} ) {
	const context = await browser.newContext( {
		baseURL: BASE_URL,
		viewport: { width: 1280, height: 860 },
		deviceScaleFactor: 1,
		locale: 'en-US',
	} );
	// Nothing but the test site: abort every request that is not to loopback.
	await context.route( '**/*', ( route ) => {
		const url = new URL( route.request().url() );
		if ( '127.0.0.1' === url.hostname || 'localhost' === url.hostname || 'data:' === url.protocol ) {
			return route.continue();
		}
		return route.abort( 'blockedbyclient' );
	} );
	if ( options.cookies ) {
		await setCookies( context, options.cookies );
	}
	const page = await context.newPage();
	watchPage( page, login );
	await page.goto( '/wp-login.php' );
	await page.fill( '#user_login', login );
	await page.fill( '#user_pass', PASSWORD );
	await Promise.all( [ page.waitForURL( /\/wp-admin\/?/ ), page.click( '#wp-submit' ) ] );
	return { context, page, login, id: SETUP.users[ login ] };
}

async function setCookies( context, cookies ) {
	await context.addCookies(
		Object.keys( cookies ).map( ( name ) => ( {
			name,
			value: String( cookies[ name ] ),
			url: BASE_URL,
		} ) )
	);
}

/** Pages report dialogs (an XSS would open one) and script errors. */
const problems = [];
function watchPage( page, who ) {
	page.on( 'dialog', async ( dialog ) => {
		problems.push( `${ who }: dialog "${ dialog.message() }" on ${ page.url() }` );
		await dialog.dismiss().catch( () => {} );
	} );
	page.on( 'pageerror', ( error ) => {
		if ( /wp-presence|presence\.js/.test( String( error.stack || error.message ) ) ) {
			problems.push( `${ who }: script error ${ error.message }` );
		}
	} );
}

async function newPage( user ) {
	const page = await user.context.newPage();
	watchPage( page, user.login );
	return page;
}

/** Calls one of the test mu-plugin's admin-ajax actions as this user. */
async function ajax( user, action, params = {} ) {
	const query = new URLSearchParams( { action, ...params } );
	// A test helper's request may seed hundreds of users' presence: more than the default 30 s on a loaded machine.
	const response = await user.context.request.post( '/wp-admin/admin-ajax.php?' + query.toString(), { timeout: 120000 } );
	const body = await response.text();
	if ( ! response.ok() ) {
		throw new Error( `${ action }: HTTP ${ response.status() } ${ body.slice( 0, 300 ) }` );
	}
	return JSON.parse( body );
}

/**
 * Waits until fn(arg) is truthy in the page; returns the seconds it took.
 */
async function waitInPage( page, fn, arg, timeoutMs, what ) {
	const start = Date.now();
	try {
		await page.waitForFunction( fn, arg, { timeout: timeoutMs, polling: 100 } );
	} catch ( e ) {
		const file = path.join( ARTIFACTS, `${ ( what || 'wait' ).replace( /[^a-z0-9]+/gi, '-' ) }-${ Date.now() }.png` );
		await page.screenshot( { path: file, fullPage: true } ).catch( () => {} );
		throw new Error( `Timed out after ${ timeoutMs } ms waiting for: ${ what || fn.toString() } (screenshot ${ file })` );
	}
	return ( Date.now() - start ) / 1000;
}

/** Status the page shows for a user in "Who's Online" ('' when the user is not listed). */
function widgetStatus( page, userId ) {
	return page.evaluate( ( id ) => {
		const row = document.querySelector( `[data-wp-presence-widget="online"] .wp-presence-row[data-user-id="${ id }"]` );
		const status = row && row.querySelector( '.wp-presence-status' );
		return status ? status.getAttribute( 'data-status' ) : '';
	}, userId );
}

/** Browser-side predicates (serialised into the page). */
const predicates = {
	inAdminBar: ( id ) => !! document.querySelector( `#wp-admin-bar-wp-presence [data-user-id="${ id }"]` ),
	notInAdminBar: ( id ) => ! document.querySelector( `#wp-admin-bar-wp-presence [data-user-id="${ id }"]` ),
	inWidget: ( id ) => !! document.querySelector( `[data-wp-presence-widget="online"] [data-user-id="${ id }"]` ),
	notInWidget: ( id ) =>
		!! document.querySelector( '[data-wp-presence-widget="online"]' ) &&
		! document.querySelector( `[data-wp-presence-widget="online"] [data-user-id="${ id }"]` ),
	widgetStatusIs: ( [ id, status ] ) => {
		const row = document.querySelector( `[data-wp-presence-widget="online"] .wp-presence-row[data-user-id="${ id }"]` );
		const node = row && row.querySelector( '.wp-presence-status' );
		return !! node && node.getAttribute( 'data-status' ) === status;
	},
	editingInActivePosts: ( [ postId, id ] ) =>
		!! document.querySelector(
			`[data-wp-presence-widget="active-posts"] .wp-presence-post[data-post-id="${ postId }"] .wp-presence-editor[data-user-id="${ id }"]`
		),
	inEditorsColumn: ( [ postId, id ] ) =>
		!! document.querySelector( `.wp-presence-editors-cell[data-post-id="${ postId }"] [data-user-id="${ id }"]` ),
	notInEditorsColumn: ( [ postId, id ] ) =>
		!! document.querySelector( `.wp-presence-editors-cell[data-post-id="${ postId }"]` ) &&
		! document.querySelector( `.wp-presence-editors-cell[data-post-id="${ postId }"] [data-user-id="${ id }"]` ),
	selfStatusIs: ( status ) => {
		const node = document.querySelector( '#wp-admin-bar-wp-presence-you-status .wp-presence-status' );
		return !! node && node.getAttribute( 'data-status' ) === status;
	},
};

/** Query count the test mu-plugin prints at the end of every page. */
async function queryCount( page ) {
	const html = await page.content();
	const match = html.match( /wp-presence-queries: (\d+)/ );
	if ( ! match ) {
		throw new Error( 'No query count in ' + page.url() );
	}
	return parseInt( match[ 1 ], 10 );
}

/** Opens the admin bar dropdown (it opens on hover). */
async function openAdminBarMenu( page ) {
	await page.bringToFront();
	try {
		await page.hover( '#wp-admin-bar-wp-presence > .ab-item', { timeout: 10000 } );
		await page.waitForSelector( '#wp-admin-bar-wp-presence .ab-sub-wrapper', { state: 'visible', timeout: 5000 } );
	} catch ( e ) {
		const file = path.join( ARTIFACTS, `admin-bar-menu-${ Date.now() }.png` );
		await page.screenshot( { path: file, fullPage: true } ).catch( () => {} );
		const state = await page
			.evaluate( () => `${ document.readyState } ${ document.visibilityState } body=${ document.body ? document.body.innerHTML.length : -1 } adminbar=${ !! document.getElementById( 'wpadminbar' ) }` )
			.catch( ( err ) => String( err ) );
		throw new Error( `${ e.message.split( '\n' )[ 0 ] } on ${ page.url() } [${ state }] (screenshot ${ file })` );
	}
}

async function pickStatus( user, page, preference ) {
	await openAdminBarMenu( page );
	const response = page.waitForResponse( ( r ) => r.url().includes( 'admin-ajax.php' ) && 'POST' === r.request().method() && ( r.request().postData() || '' ).includes( 'wp_presence_status' ) );
	await page.click( `#wp-admin-bar-wp-presence-pref-${ preference || 'auto' } > a` );
	await response;
	await page.mouse.move( 640, 600 );
}

/**
 * Records a page's Heartbeat requests (whether they carry `wp-presence`, its tab and the tabs it
 * reports) and its `wp-presence` replies. Call stop() when done.
 *
 * @param {import('playwright-core').Page} page Page.
 */
function watchHeartbeats( page ) {
	const log = { sent: [], replies: [] };
	const isHeartbeat = ( request ) =>
		'POST' === request.method() && request.url().includes( 'admin-ajax.php' ) && /(^|&)action=heartbeat(&|$)/.test( request.postData() || '' );
	const onRequest = ( request ) => {
		if ( ! isHeartbeat( request ) ) {
			return;
		}
		const form = new URLSearchParams( request.postData() || '' );
		const keys = [ ...form.keys() ];
		const tabs = [];
		for ( const [ key, value ] of form ) {
			if ( /^data\[wp-presence\]\[tabs\]\[\d+\]\[tab\]$/.test( key ) ) {
				tabs.push( value );
			}
		}
		log.sent.push( {
			at: Date.now(),
			presence: keys.some( ( key ) => key.startsWith( 'data[wp-presence]' ) ),
			tab: form.get( 'data[wp-presence][tab]' ),
			tabs,
		} );
	};
	const onResponse = async ( response ) => {
		if ( ! isHeartbeat( response.request() ) ) {
			return;
		}
		try {
			const reply = ( await response.json() )[ 'wp-presence' ];
			if ( reply ) {
				log.replies.push( { at: Date.now(), reply } );
			}
		} catch ( e ) {}
	};
	page.on( 'request', onRequest );
	page.on( 'response', onResponse );
	log.stop = () => {
		page.off( 'request', onRequest );
		page.off( 'response', onResponse );
	};
	log.presence = () => log.sent.filter( ( entry ) => entry.presence );
	return log;
}

/** The pages among `pages` whose tab leads (evaluated now). */
async function leaders( pages ) {
	const roles = await Promise.all( pages.map( ( page ) => page.evaluate( () => !! ( window.wpPresence && window.wpPresence.isLeader() ) ).catch( () => false ) ) );
	return pages.filter( ( page, i ) => roles[ i ] );
}

/** Waits until exactly one of `pages` leads; returns it. */
async function waitForOneLeader( pages, timeoutMs ) {
	const end = Date.now() + timeoutMs;
	let found = [];
	while ( Date.now() < end ) {
		found = await leaders( pages );
		if ( 1 === found.length ) {
			return found[ 0 ];
		}
		await sleep( 100 );
	}
	throw new Error( `expected one leader among ${ pages.length } tabs, found ${ found.length }` );
}

/** Closes every page of a user's browser context. */
async function closeAll( user ) {
	for ( const page of user.context.pages() ) {
		await page.close();
	}
}

/** Polls fn() (in Node) every 100 ms until it is truthy or timeoutMs passed; returns its last value. */
async function until( fn, timeoutMs ) {
	const end = Date.now() + timeoutMs;
	let value = fn();
	while ( ! value && Date.now() < end ) {
		await sleep( 100 );
		value = fn();
	}
	return value;
}

function sleep( ms ) {
	return new Promise( ( resolve ) => setTimeout( resolve, ms ) );
}

module.exports = {
	BASE_URL,
	SETUP,
	SCREENSHOTS,
	ARTIFACTS,
	TICK,
	launch,
	loginAs,
	setCookies,
	newPage,
	ajax,
	waitInPage,
	widgetStatus,
	predicates,
	queryCount,
	openAdminBarMenu,
	pickStatus,
	problems,
	sleep,
	watchHeartbeats,
	leaders,
	waitForOneLeader,
	closeAll,
	until,
};
