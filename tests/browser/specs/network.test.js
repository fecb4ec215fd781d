'use strict';
/**
 * The network Who's Online widget (Network Admin → Dashboard) and the Online column of the
 * network Sites list, on a sub-directory network (tests/browser/run.sh with BROWSER_MULTISITE=1;
 * skipped on a single site). Bob and Mallory are online on "Docs <em>team</em>", Carol and Bob
 * on "Shop"; Alice, a super admin, looks. Also the README's screenshot of the widget.
 */
const { describe, it, before, after } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const path = require( 'node:path' );
const { SETUP, SCREENSHOTS, launch, loginAs, ajax, problems } = require( '../lib' );

const MULTISITE = '1' === process.env.PRESENCE_TEST_MULTISITE;

describe( 'network Who\'s Online', { skip: MULTISITE ? false : 'single site (BROWSER_MULTISITE=1 runs it)' }, () => {
	let browser;
	let alice;

	before( async () => {
		browser = await launch();
		alice = await loginAs( browser, 'alice' );
		const seeded = ( await ajax( alice, 'presence_test_network_seed' ) ).data;
		assert.equal( Object.keys( seeded ).length, 2, 'two sites seeded' );
	} );

	after( async () => {
		if ( browser ) {
			await browser.close();
		}
	} );

	it( 'shows the sites with people online, their faces and counts, names as text', async () => {
		const page = alice.page;
		await page.goto( '/wp-admin/network/' );
		const widget = page.locator( '#wp_presence_network_online' );
		await widget.waitFor( { state: 'visible', timeout: 15000 } );
		const sites = await widget.locator( '.wp-presence-network__site' ).evaluateAll( ( nodes ) =>
			nodes.map( ( n ) => ( {
				blog: Number( n.dataset.blogId ),
				name: n.querySelector( '.wp-presence-network__name' ).textContent,
				count: n.querySelector( '.wp-presence-network__count' ).textContent,
				faces: Array.from( n.querySelectorAll( '.wp-presence-avatar' ) ).map( ( a ) => Number( a.dataset.userId ) ).sort(),
			} ) )
		);
		const u = SETUP.users;
		const byBlog = Object.fromEntries( sites.map( ( s ) => [ s.blog, s ] ) );
		assert.deepEqual( byBlog[ SETUP.sites.docs ].faces, [ u.bob, u.mallory ].sort() );
		assert.deepEqual( byBlog[ SETUP.sites.shop ].faces, [ u.bob, u.carol ].sort() );
		assert.equal( byBlog[ SETUP.sites.docs ].name, 'Docs <em>team</em>', 'the site name is text' );
		assert.equal( byBlog[ SETUP.sites.docs ].count, '2 online' );
		assert.equal( await widget.locator( 'em' ).count(), 0, 'no markup from a site name' );
		// Alice herself is online on the main site (she is on its Network Admin).
		assert.ok( byBlog[ 1 ].faces.includes( u.alice ) );
		assert.match( await widget.locator( '.wp-presence-summary' ).textContent(), /4 users online on 3 sites/ );
		// Mallory's hostile name is only ever an attribute value (the avatar's title).
		assert.equal( await widget.locator( 'img[src="x"]' ).count(), 0 );
		await widget.screenshot( { path: path.join( SCREENSHOTS, 'presence-network-widget.png' ) } );
	} );

	it( 'draws initials for faces whose avatar cannot load', async () => {
		await ajax( alice, 'presence_owner_gravatar', { on: 1 } );
		try {
			await alice.context.route( /gravatar\.com/, ( route ) => route.abort( 'connectionrefused' ) );
			await ajax( alice, 'presence_test_network_seed', { fresh: 1 } ); // Cards with Gravatar URLs now.
			const page = alice.page;
			await page.goto( '/wp-admin/network/' );
			const face = page.locator( `#wp_presence_network_online .wp-presence-network__site[data-blog-id="${ SETUP.sites.shop }"] [data-user-id="${ SETUP.users.carol }"] .wp-presence-initials` );
			await face.waitFor( { timeout: 10000 } );
			assert.equal( await face.textContent(), 'CC', 'Carol Contributor, named on a network face' );
			const hostile = page.locator( `#wp_presence_network_online [data-user-id="${ SETUP.users.mallory }"] .wp-presence-initials` ).first();
			await hostile.waitFor( { timeout: 10000 } );
			assert.equal( await hostile.textContent(), 'IO', 'letters only, as text' );
		} finally {
			await ajax( alice, 'presence_owner_gravatar', { on: 0 } );
			await ajax( alice, 'presence_test_network_seed', { fresh: 1 } );
		}
	} );

	it( 'counts the people online in the network Sites list', async () => {
		const page = alice.page;
		await page.goto( '/wp-admin/network/sites.php' );
		const cell = page.locator( `tr:has(a[href*="id=${ SETUP.sites.shop }"]) .wp-presence-network__count` ).first();
		await cell.waitFor( { timeout: 15000 } );
		assert.equal( await cell.getAttribute( 'data-online' ), '2' );
		assert.deepEqual( problems, [] );
	} );
} );
