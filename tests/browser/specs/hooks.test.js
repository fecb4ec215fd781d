'use strict';
/**
 * presence-api's JavaScript surface (assets/presence-hooks.js) in the real block editor: the
 * usePresenceUsers() React hook on wp.element, and the presence-api.* actions on wp.hooks.
 * Alice (administrator) watches the test post's room from another editor page; Bob (editor)
 * opens the test post; then Alice joins the room herself.
 */
const { describe, it, before, after } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const { SETUP, launch, loginAs, closeAll, problems } = require( '../lib' );

const ROOM = 'postType/post:' + SETUP.post_id;
/** usePresenceUsers() polls every 3 s here (the test mu-plugin); Bob's first Heartbeat comes at once. */
const WAIT = 20000;

let browser;
let alice;
let bob;

describe( 'JS hooks', () => {
	before( async () => {
		browser = await launch();
		alice = await loginAs( browser, 'alice' );
		bob = await loginAs( browser, 'bob' );
	} );

	after( async () => {
		await closeAll( bob );
		await browser.close();
	} );

	it( 'usePresenceUsers() shows who is in a post room, and the collaboration actions fire', async () => {
		const page = alice.page;
		await page.goto( '/wp-admin/post-new.php' );
		await page.waitForFunction( () => window.wp && wp.presence && wp.presence.usePresenceUsers && wp.element, null, { timeout: WAIT } );
		await page.evaluate( ( room ) => {
			const el = wp.element.createElement;
			window.__events = [];
			wp.hooks.addAction( 'presence-api.watchingRoom', 'test', ( r ) => window.__events.push( [ 'watching', r ] ) );
			wp.hooks.addAction( 'presence-api.collaborationStarted', 'test', ( r, users ) => window.__events.push( [ 'started', r, users.length ] ) );
			wp.hooks.addAction( 'presence-api.collaborationEnded', 'test', ( r, users ) => window.__events.push( [ 'ended', r, users.length ] ) );
			window.__surfaces = [];
			wp.hooks.addAction( 'presence-api.surfaceUpdated', 'test', ( surface, data ) => window.__surfaces.push( [ surface, !! data ] ) );
			wp.hooks.addFilter( 'presence-api.liveSurfaces', 'test', ( list ) => list.filter( ( s ) => 'active-posts' !== s ) );
			function Probe( props ) {
				const state = wp.presence.usePresenceUsers( room, props );
				window[ props.name ] = state;
				return el( 'ul', { id: props.name }, state.users.map( ( u ) => el( 'li', { key: u.id, 'data-id': u.id }, u.displayName ) ) );
			}
			const root = document.createElement( 'div' );
			document.body.appendChild( root );
			const tree = el( 'div', null, el( Probe, { name: 'others' } ), el( Probe, { name: 'everyone', includeSelf: true, fields: [ 'id' ] } ) );
			if ( wp.element.createRoot ) {
				wp.element.createRoot( root ).render( tree );
			} else {
				wp.element.render( tree, root );
			}
		}, ROOM );
		await page.waitForFunction( () => window.others && ! window.others.isLoading, null, { timeout: WAIT } );
		assert.deepEqual( await page.evaluate( () => window.__events.filter( ( e ) => 'watching' === e[ 0 ] ) ), [ [ 'watching', ROOM ] ] );

		// Bob opens the post: he appears, as a person, in the hook's users.
		const bobPage = bob.page;
		await bobPage.goto( `/wp-admin/post.php?post=${ SETUP.post_id }&action=edit` );
		await page.waitForFunction( ( id ) => window.others.isPresent && window.others.users.some( ( u ) => u.id === id ), bob.id, { timeout: WAIT } );
		const others = await page.evaluate( () => window.others );
		assert.equal( others.error, null );
		assert.deepEqual( others.users.map( ( u ) => u.id ), [ bob.id ] );
		assert.equal( others.users[ 0 ].displayName, 'Bob Editor' );
		assert.match( others.users[ 0 ].avatarUrl, /^https?:\/\/|^$/ );
		assert.equal( await page.locator( `#others li[data-id="${ bob.id }"]` ).textContent(), 'Bob Editor', 'rendered as text' );

		// Bob coming online changed admin/online: Alice's next tick refreshes the admin bar surface;
		// the filter took active-posts off the live surfaces.
		await page.waitForFunction( () => window.__surfaces.some( ( e ) => 'admin-bar' === e[ 0 ] && e[ 1 ] ), null, { timeout: WAIT } );
		assert.equal( ( await page.evaluate( () => window.__surfaces ) ).filter( ( e ) => 'active-posts' === e[ 0 ] ).length, 0 );

		// Alice joins the room: two people, the collaboration starts.
		await page.evaluate( ( room ) => wp.apiFetch( { path: '/wp-presence/v1/presence', method: 'POST', data: { room, client_id: 'alice-probe', data: {} } } ), ROOM );
		await page.waitForFunction( () => window.everyone.users.length === 2, null, { timeout: WAIT } );
		assert.deepEqual( ( await page.evaluate( () => window.everyone.users ) ).map( ( u ) => Object.keys( u ) ), [ [ 'id' ], [ 'id' ] ], 'fields' );
		await page.waitForFunction( () => window.__events.some( ( e ) => 'started' === e[ 0 ] ), null, { timeout: WAIT } );

		// Alice leaves again: the collaboration ends.
		await page.evaluate( ( room ) => wp.apiFetch( { path: '/wp-presence/v1/presence?room=' + encodeURIComponent( room ) + '&client_id=alice-probe', method: 'DELETE' } ), ROOM );
		await page.waitForFunction( () => window.__events.some( ( e ) => 'ended' === e[ 0 ] ), null, { timeout: WAIT } );
		const events = await page.evaluate( () => window.__events.map( ( e ) => e[ 0 ] ) );
		assert.deepEqual( events, [ 'watching', 'started', 'ended' ] );
		assert.deepEqual( problems, [] );
	} );
} );
