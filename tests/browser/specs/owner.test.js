'use strict';
/**
 * What site owners get: the stale-screen warning ("X updated this screen") with two users on
 * one settings page and on one user profile, and avatars falling back to initials when the
 * avatar host cannot be reached. Heartbeat ticks every 5 s here (test mu-plugin).
 */
const { describe, it, before, after } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const path = require( 'node:path' );
const { SETUP, SCREENSHOTS, TICK, launch, loginAs, ajax, waitInPage, problems, sleep } = require( '../lib' );

const ONE_TICK = ( TICK + 3 ) * 1000;
const HOSTILE = '<img src=x onerror=alert(1)>';

let browser;
let alice;
let ids;

/** Who the visible stale-screen notice names ('' when there is none). */
function staleText( page ) {
	return page.evaluate( () => {
		const node = document.querySelector( '.wp-presence-stale-region .wp-presence-stale .wp-presence-stale__text' );
		return node ? node.textContent : '';
	} );
}

const staleNames = ( name ) => {
	const node = document.querySelector( '.wp-presence-stale-region[role="status"][aria-live="polite"] .wp-presence-stale .wp-presence-stale__text' );
	return !! node && node.textContent.startsWith( name + ' updated this screen at ' );
};
const noStale = () => ! document.querySelector( '.wp-presence-stale-region .wp-presence-stale' );

/**
 * The initials disc drawn for a user inside a container, as the page shows it, once it is there
 * (the UI script may be redrawing the container: a new image, then its error, then the disc).
 */
async function disc( page, container, userId, timeout = 5000 ) {
	const handle = await page.waitForFunction(
		( [ sel, id ] ) => {
			const root = document.querySelector( sel );
			if ( ! root ) {
				return null;
			}
			const node = Array.from( root.querySelectorAll( '.wp-presence-initials' ) ).find(
				( n ) => String( id ) === n.getAttribute( 'data-wp-presence-initials' )
			);
			if ( ! node ) {
				return null;
			}
			const probe = document.createElement( 'span' );
			probe.style.backgroundColor = 'hsl(' + ( ( id * 137.508 ) % 360 ).toFixed( 1 ) + ', 55%, 30%)';
			document.body.appendChild( probe );
			const expected = getComputedStyle( probe ).backgroundColor;
			probe.remove();
			const box = node.getBoundingClientRect();
			return {
				text: node.textContent,
				title: node.getAttribute( 'title' ),
				colour: getComputedStyle( node ).backgroundColor,
				expected,
				width: Math.round( box.width ),
				visible: box.width > 0 && box.height > 0,
			};
		},
		[ container, userId ],
		{ timeout, polling: 100 }
	);
	return handle.jsonValue();
}

/** Avatar images that show as broken: neither loaded nor replaced. */
function brokenAvatars( page ) {
	return page.evaluate( () =>
		Array.from( document.querySelectorAll( 'img.avatar, img.wp-presence-avatar__img' ) )
			.filter( ( img ) => img.complete && 0 === img.naturalWidth && ! img.hasAttribute( 'data-wp-presence-fallback' ) )
			.map( ( img ) => img.outerHTML )
	);
}

async function saveGeneralSettings( page, tagline ) {
	await page.fill( '#blogdescription', tagline );
	await Promise.all( [ page.waitForURL( /settings-updated=true/ ), page.click( '#submit' ) ] );
}

async function saveProfile( page, firstName ) {
	await page.fill( '#first_name', firstName );
	await Promise.all( [ page.waitForURL( /updated=1/ ), page.click( '#submit' ) ] );
}

describe( 'site owners\' features in a real browser', () => {
	before( async () => {
		browser = await launch();
		alice = await loginAs( browser, 'alice' );
		ids = ( await ajax( alice, 'presence_owner_setup' ) ).data;
		await ajax( alice, 'presence_owner_gravatar', { on: 0 } );
		await ajax( alice, 'presence_test_reset' );
	} );

	after( async () => {
		if ( alice ) {
			await ajax( alice, 'presence_owner_gravatar', { on: 0 } ).catch( () => {} );
			// Alice's own entries carry Gravatar URLs: another administrator clears everyone's.
			const dave = await loginAs( browser, 'dave' ).catch( () => null );
			if ( dave ) {
				await ajax( dave, 'presence_test_reset' ).catch( () => {} );
				await dave.context.close();
			}
		}
		if ( browser ) {
			await browser.close();
		}
		assert.deepEqual( problems, [], 'dialogs or script errors' );
	} );

	it( 'warns Alice on Settings → General when Dave saves it, never Dave, and again after a dismissal', async () => {
		const dave = await loginAs( browser, 'dave' );
		const a = alice.page;
		const d = dave.page;
		await a.goto( '/wp-admin/options-general.php' );
		await d.goto( '/wp-admin/options-general.php' );
		assert.equal( await a.locator( '.wp-presence-stale-region[role="status"][aria-live="polite"]' ).count(), 1, 'the live region is there before anything is said' );
		await sleep( 1000 ); // A save in the second the page was rendered would warn too (by design).

		await saveGeneralSettings( d, 'Tagline one ' + Date.now() );
		const seconds = await waitInPage( a, staleNames, 'Dave Admin', ONE_TICK, 'Alice warned that Dave saved' );
		assert.ok( seconds <= TICK + 3, `took ${ seconds } s` );
		assert.match( await staleText( a ), /^Dave Admin updated this screen at .+\. Reload to see the changes\.$/ );
		assert.equal( await a.locator( '.wp-presence-stale .wp-presence-stale__reload' ).textContent(), 'Reload' );
		await a.bringToFront();
		await a.locator( '.wp-presence-stale' ).screenshot( { path: path.join( SCREENSHOTS, 'presence-stale-screen.png' ) } );

		// The saver never sees it, over a couple of ticks.
		await sleep( ( TICK * 2 + 1 ) * 1000 );
		assert.ok( await d.evaluate( noStale ), 'Dave warned about his own save' );

		await a.click( '.wp-presence-stale .wp-presence-stale__dismiss' );
		assert.ok( await a.evaluate( noStale ), 'dismissed' );
		await sleep( ( TICK + 1 ) * 1000 );
		assert.ok( await a.evaluate( noStale ), 'stays dismissed while nothing else is saved' );

		await saveGeneralSettings( d, 'Tagline two ' + Date.now() );
		await waitInPage( a, staleNames, 'Dave Admin', ONE_TICK, 'the warning comes back after the next save' );

		// Reload: the page is current, and stays quiet.
		await Promise.all( [ a.waitForNavigation(), a.click( '.wp-presence-stale .wp-presence-stale__reload' ) ] );
		assert.equal( await a.inputValue( '#blogdescription' ), await d.inputValue( '#blogdescription' ) );
		await sleep( ( TICK + 2 ) * 1000 );
		assert.ok( await a.evaluate( noStale ), 'no warning after reloading' );
		await dave.context.close();
	} );

	it( 'warns Bob on his profile when Alice saves it from the Users screen', async () => {
		const bob = await loginAs( browser, 'bob' );
		const a = alice.page;
		const b = bob.page;
		await a.goto( `/wp-admin/user-edit.php?user_id=${ ids.bob }` );
		await b.goto( '/wp-admin/profile.php' );
		await sleep( 1000 );

		await saveProfile( a, 'Robert ' + Date.now() );
		await waitInPage( b, staleNames, 'Alice Admin', ONE_TICK, 'Bob warned that Alice saved his profile' );
		await sleep( ( TICK + 1 ) * 1000 );
		assert.ok( await a.evaluate( noStale ), 'Alice, the saver, is not warned' );

		await b.click( '.wp-presence-stale .wp-presence-stale__dismiss' );
		assert.ok( await b.evaluate( noStale ) );
		await saveProfile( a, 'Bobby ' + Date.now() );
		await waitInPage( b, staleNames, 'Alice Admin', ONE_TICK, 'back after the next save' );
		await bob.context.close();
	} );

	it( 'draws initials on a coloured disc wherever an avatar cannot load', async () => {
		await ajax( alice, 'presence_owner_gravatar', { on: 1 } );
		await ajax( alice, 'presence_test_reset' );
		// The avatar host fails, as on an intranet without Gravatar.
		await alice.context.route( /gravatar\.com/, ( route ) => route.abort( 'connectionrefused' ) );
		const bob = await loginAs( browser, 'bob' ); // Logging in puts Bob online, with a Gravatar URL.
		const a = alice.page;

		// Server-rendered faces: Who's Online, the admin bar, core's own avatar (My Account).
		await a.goto( '/wp-admin/' );
		await waitInPage( a, ( id ) => !! document.querySelector( `[data-wp-presence-widget="online"] [data-user-id="${ id }"] .wp-presence-initials` ), ids.bob, 5000, 'Bob\'s initials in Who\'s Online' );
		const inWidget = await disc( a, '[data-wp-presence-widget="online"]', ids.bob );
		assert.equal( inWidget.text, 'BE' );
		assert.equal( inWidget.title, 'Bob Editor', 'the name stays available as text' );
		assert.equal( inWidget.colour, inWidget.expected, 'colour from the user id' );
		assert.ok( inWidget.visible );
		await waitInPage( a, ( id ) => !! document.querySelector( `#wp-admin-bar-wp-presence .wp-presence-initials[data-wp-presence-initials="${ id }"]` ), ids.bob, 3000, 'in the admin bar' );
		const mine = await disc( a, '#wp-admin-bar-my-account', ids.alice ); // Core's own avatar falls back too.
		assert.equal( mine.text, 'AA' );
		assert.equal( mine.title, 'Alice Admin' );
		assert.notEqual( mine.colour, inWidget.colour, 'two users, two colours' );

		// A face the script draws later: Mallory comes online while Alice watches.
		const mallory = await loginAs( browser, 'mallory' ); // Lands on the dashboard: online.
		await waitInPage( a, ( id ) => !! document.querySelector( `[data-wp-presence-widget="online"] .wp-presence-initials[data-wp-presence-initials="${ id }"]` ), ids.mallory, ONE_TICK * 2, 'Mallory\'s initials, drawn live' );
		const hostile = await disc( a, '[data-wp-presence-widget="online"]', ids.mallory );
		assert.equal( hostile.text, 'IO', 'letters only, as text' );
		assert.equal( hostile.title, HOSTILE );
		assert.deepEqual( await brokenAvatars( a ), [], 'no broken image left on the dashboard' );

		// The users list (core's avatars) and the Editors column.
		await a.goto( '/wp-admin/users.php' );
		const listed = await disc( a, '#the-list', ids.bob ); // Bob's row in the users list.
		assert.equal( listed.title, 'Bob Editor' );
		assert.equal( listed.colour, inWidget.colour, 'the same colour everywhere' );
		assert.deepEqual( await brokenAvatars( a ), [] );

		const b = bob.page;
		await b.goto( `/wp-admin/post.php?post=${ SETUP.post_id }&action=edit` );
		await a.goto( '/wp-admin/edit.php' );
		await waitInPage( a, ( id ) => !! document.querySelector( `.wp-presence-editors-cell .wp-presence-initials[data-wp-presence-initials="${ id }"]` ), ids.bob, ONE_TICK * 2, 'Bob\'s initials in the Editors column' );
		assert.deepEqual( await brokenAvatars( a ), [] );

		await bob.context.close();
		await mallory.context.close();
		await alice.context.unroute( /gravatar\.com/ );
	} );

	it( 'shows Settings → Presence with its switches and the store panel', async () => {
		const a = alice.page;
		await a.goto( '/wp-admin/options-general.php?page=wp_presence' );
		for ( const id of [ '#wp_presence_recording', '#wp_presence_feature_post-locks', '#wp_presence_feature_front-end', '#wp_presence_feature_invisible', '#wp_presence_idle_after', '#wp_presence_away_after' ] ) {
			assert.equal( await a.locator( id ).count(), 1, id );
		}
		assert.match( await a.textContent( '.wp-presence-store-panel' ), /Backend/ );
		await a.locator( '.wrap' ).screenshot( { path: path.join( SCREENSHOTS, 'presence-settings.png' ) } );

		// Away no longer than idle (the form's own min cannot know): refused, the range named, the old value kept.
		await a.fill( '#wp_presence_away_after', '40' );
		await Promise.all( [ a.waitForURL( /settings-updated=true/ ), a.click( '#submit' ) ] );
		assert.match( await a.textContent( '#wpbody-content' ), /Away after must be a whole number of seconds from 61 to 86400/ );
		assert.equal( await a.inputValue( '#wp_presence_away_after' ), '300' );
		// In range: saved, and handed to the UI script.
		await a.fill( '#wp_presence_idle_after', '90' );
		await Promise.all( [ a.waitForURL( /settings-updated=true/ ), a.click( '#submit' ) ] );
		assert.equal( await a.inputValue( '#wp_presence_idle_after' ), '90' );
		assert.equal( await a.evaluate( () => window.wpPresenceSettings && window.wpPresenceSettings.idleAfter ), 90 );
		await a.fill( '#wp_presence_idle_after', '60' );
		await Promise.all( [ a.waitForURL( /settings-updated=true/ ), a.click( '#submit' ) ] );
	} );
} );
