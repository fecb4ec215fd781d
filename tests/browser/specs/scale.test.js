'use strict';
/**
 * Heartbeat at scale: Alice and Bob in real Chromium on a site with 300 more users online
 * (seeded through the bridge's own Heartbeat handler by the test mu-plugin, not browsers).
 * Replies carry the first rows and the total; the counts are right, "+N more" and the Online
 * users view reach the rest (REST pages, `group=user`, and the list table), and Bob's changes
 * reach Alice as changes without a reload, also in an open "+N more" list. (Three tabs, one leader: specs/tabs.test.js.)
 */
const { describe, it, before, after } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const { TICK, launch, loginAs, newPage, ajax, waitInPage, predicates: p, problems, watchHeartbeats, pickStatus, closeAll, until } = require( '../lib' );

const ONE_TICK = ( TICK + 3 ) * 1000;
const SEEDED = 300;

let browser;
let alice;
let bob;

/** Every user in admin/online as Alice's REST API pages it (entries, combined by user id). */
async function restUsers() {
	const ids = new Set();
	let page = 1;
	let pages = 1;
	let total = 0;
	do {
		const response = await alice.page.evaluate( async ( n ) => {
			const settings = window.wpPresenceSettings || {};
			const url = `${ settings.restUrl }?room=${ encodeURIComponent( 'admin/online' ) }&per_page=100&page=${ n }`;
			const r = await fetch( url, { headers: { 'X-WP-Nonce': settings.restNonce }, credentials: 'same-origin' } );
			return { status: r.status, total: r.headers.get( 'X-WP-Total' ), pages: r.headers.get( 'X-WP-TotalPages' ), items: await r.json() };
		}, page );
		assert.equal( response.status, 200, JSON.stringify( response.items ).slice( 0, 200 ) );
		assert.ok( response.items.length <= 100 );
		response.items.forEach( ( item ) => ids.add( parseInt( item.user_id, 10 ) ) );
		pages = parseInt( response.pages, 10 );
		total = parseInt( response.total, 10 );
		page++;
	} while ( page <= pages );
	return { ids, pages, total };
}

describe( 'Heartbeat with 300 more users online', () => {
	before( async () => {
		browser = await launch();
		alice = await loginAs( browser, 'alice' );
		bob = await loginAs( browser, 'bob' );
		await closeAll( bob );
		await ajax( alice, 'presence_test_reset' );
		const seeded = await ajax( alice, 'presence_test_seed', { n: SEEDED } );
		assert.equal( seeded.data.online, SEEDED );
	} );

	after( async () => {
		if ( alice ) {
			await ajax( alice, 'presence_test_seed', { n: 0 } ).catch( () => {} );
		}
		if ( browser ) {
			await browser.close();
		}
	} );

	it( 'shows the right counts from bounded replies, and pages the rest over REST and the Online view', async () => {
		const a = alice.page;
		const beats = watchHeartbeats( a );
		await a.goto( '/wp-admin/' );
		await a.waitForSelector( '[data-wp-presence-widget="online"]' );
		await until( () => beats.replies.some( ( r ) => r.reply.rooms && r.reply.rooms[ 'admin/online' ] ), ONE_TICK * 2 );
		beats.stop();
		const room = beats.replies.map( ( r ) => r.reply.rooms && r.reply.rooms[ 'admin/online' ] ).find( Boolean );
		assert.ok( room, 'a reply with the room' );
		assert.ok( room.users.length <= room.limit + 1, `${ room.users.length } rows for a bound of ${ room.limit }` );

		const rest = await restUsers();
		assert.ok( rest.pages >= 3, `${ rest.total } entries on ${ rest.pages } pages` );
		const everyone = rest.ids.size;
		assert.ok( everyone >= SEEDED + 1, `${ everyone } users over REST` );
		assert.equal( room.total, everyone, 'the reply counts what REST lists' );

		const others = everyone - 1;
		await waitInPage( a, ( n ) => window.wpPresence.total() === n, others, ONE_TICK, 'the total of others' );
		assert.equal(
			( await a.textContent( '[data-wp-presence-widget="online"] .wp-presence-summary' ) ).trim(),
			`${ others } other users online`
		);
		assert.equal( ( await a.textContent( '#wp-admin-bar-wp-presence .wp-presence-ab-count' ) ).trim(), `${ everyone } online` );
		// The widget's stack shows its first avatars and "+N" for the rest.
		const shown = await a.locator( '[data-wp-presence-widget="online"] .wp-presence-stack .wp-presence-avatar' ).count();
		assert.equal( ( await a.textContent( '[data-wp-presence-widget="online"] .wp-presence-stack__more' ) ).trim(), `+${ others - shown }` );

		// "View all online users": the Online view lists every one of them, a page at a time.
		const href = await a.getAttribute( '[data-wp-presence-widget="online"] .wp-presence-all a', 'href' );
		await a.goto( href );
		assert.match( await a.textContent( '.subsubsub .wp_presence_online a' ), new RegExp( `Online \\(${ everyone }\\)` ) );
		assert.match( await a.textContent( '.tablenav.top .displaying-num' ), new RegExp( `^${ everyone } items` ) );
		assert.ok( ( await a.locator( '#the-list tr[id^="user-"]' ).count() ) < everyone, 'paged' );
		await Promise.all( [ a.waitForURL( /paged=2/ ), a.click( '.tablenav.top .next-page' ) ] );
		assert.match( a.url(), /presence_nonce=/, 'the next page keeps the nonce' );
		assert.ok( ( await a.locator( '#the-list tr[id^="user-"]' ).count() ) > 0, 'page 2 lists more' );
	} );

	it( "sends Bob's arrival and status to Alice as changes, without a reload", async () => {
		const a = alice.page;
		await a.goto( '/wp-admin/' );
		await a.waitForSelector( '[data-wp-presence-widget="online"]' );
		await waitInPage( a, ( n ) => window.wpPresence.total() >= n, SEEDED, ONE_TICK, 'the seeded users counted' );
		const before = await a.evaluate( () => window.wpPresence.total() );
		const beats = watchHeartbeats( a );

		const b = await newPage( bob );
		await b.goto( '/wp-admin/profile.php' );
		await waitInPage( a, p.inWidget, bob.id, ONE_TICK * 2, 'Bob in the stack' );
		await waitInPage( a, ( n ) => window.wpPresence.total() === n, before + 1, ONE_TICK, 'one more online' );

		await pickStatus( bob, b, 'dnd' );
		await waitInPage(
			a,
			( id ) => window.wpPresence.others().some( ( row ) => row.user_id === id && 'dnd' === row.status ),
			bob.id,
			ONE_TICK * 2,
			'Bob in Do not disturb'
		);
		beats.stop();
		const rooms = beats.replies.map( ( r ) => r.reply.rooms && r.reply.rooms[ 'admin/online' ] ).filter( Boolean );
		assert.ok( rooms.length > 0 );
		for ( const room of rooms ) {
			assert.ok( room.users.length <= room.limit + 1, `${ room.users.length } rows` );
			assert.ok( JSON.stringify( room ).length < 10000, `${ JSON.stringify( room ).length } bytes` );
		}
		const backend = ( await ajax( alice, 'presence_test_backend' ) ).data.backend;
		if ( 'extension' === backend ) {
			assert.ok( rooms.some( ( room ) => true === room.changes ), 'the extension sends changes' );
			const change = rooms.find( ( room ) => true === room.changes && room.users.some( ( row ) => row.user_id === bob.id ) );
			assert.ok( change, "a change carrying Bob's row" );
			assert.ok( change.users.length < 5, `${ change.users.length } rows in a change` );
		}
		await pickStatus( bob, b, '' );
		await closeAll( bob );
		assert.deepEqual( problems, [] );
	} );

	it( '"+N more" lists every other user a REST page at a time, and keeps its list through Heartbeat updates', async () => {
		const a = alice.page;
		// Again: the seeded entries (150 s) must outlive this test too.
		assert.equal( ( await ajax( alice, 'presence_test_seed', { n: SEEDED } ) ).data.online, SEEDED );
		const b = await newPage( bob );
		await b.goto( '/wp-admin/profile.php' );
		await a.goto( '/wp-admin/' );
		await a.waitForSelector( '[data-wp-presence-widget="online"]' );
		await waitInPage( a, ( id ) => window.wpPresence.others().some( ( row ) => row.user_id === id ), bob.id, ONE_TICK * 2, 'Bob among the first rows' );
		await waitInPage( a, ( n ) => window.wpPresence.total() >= n, SEEDED + 1, ONE_TICK, 'the seeded users and Bob counted' );
		const pages = [];
		const answers = [];
		const isPage = ( request ) => {
			const url = new URL( request.url() );
			return 'GET' === request.method() && ( url.searchParams.get( 'rest_route' ) || url.pathname ).endsWith( '/wp-presence/v1/presence' );
		};
		a.on( 'request', ( request ) => isPage( request ) && pages.push( new URL( request.url() ).searchParams ) );
		a.on( 'response', ( response ) => isPage( response.request() ) && answers.push( { status: response.status(), pages: response.headers()[ 'x-wp-totalpages' ] } ) );
		const widget = '[data-wp-presence-widget="online"]';
		const list = `${ widget } details.wp-presence-more--paged`;
		assert.equal( await a.locator( `${ list } > ul > li` ).count(), 0, 'nothing is fetched before the list is opened' );
		assert.equal( pages.length, 0 );

		// The stack's "+N" is a button: the keyboard opens the list, and the first page arrives.
		await a.press( `${ widget } button.wp-presence-stack__more`, 'Enter' );
		await a.waitForSelector( `${ list }[open]` );
		assert.equal( await a.getAttribute( `${ widget } button.wp-presence-stack__more`, 'aria-expanded' ), 'true' );
		await waitInPage( a, ( sel ) => document.querySelectorAll( `${ sel } > ul > li` ).length > 0, list, ONE_TICK, 'the first page listed' );
		assert.equal( pages[ 0 ].get( 'room' ), 'admin/online' );
		assert.equal( pages[ 0 ].get( 'group' ), 'user' );
		assert.equal( pages[ 0 ].get( 'page' ), '1' );
		const perPage = parseInt( pages[ 0 ].get( 'per_page' ), 10 );
		assert.ok( perPage > 0 && perPage <= 100, `per_page ${ perPage }` );

		// "Load more", from the keyboard, until the button goes away.
		let listed = await a.locator( `${ list } > ul > li` ).count();
		for ( let guard = 0; guard < 20 && ( await a.locator( `${ list } .wp-presence-more__load:visible` ).count() ); guard++ ) {
			await a.press( `${ list } .wp-presence-more__load`, 'Enter' );
			await waitInPage( a, ( [ sel, n ] ) => document.querySelectorAll( `${ sel } > ul > li` ).length > n, [ list, listed ], ONE_TICK, `page ${ guard + 2 } listed` );
			await waitInPage( a, ( sel ) => ! document.querySelector( `${ sel } .wp-presence-more__load` ).disabled, list, ONE_TICK, 'the page loaded' );
			listed = await a.locator( `${ list } > ul > li` ).count();
		}
		assert.equal( await a.locator( `${ list } .wp-presence-more__load:visible` ).count(), 0, 'every page loaded' );
		assert.ok( answers.every( ( answer ) => 200 === answer.status ), JSON.stringify( answers ) );
		const lastPage = parseInt( answers[ answers.length - 1 ].pages, 10 );
		assert.ok( lastPage >= Math.ceil( ( SEEDED + 2 ) / perPage ), `${ lastPage } pages of ${ perPage }` );
		assert.deepEqual( pages.map( ( q ) => q.get( 'page' ) ), Array.from( { length: lastPage }, ( v, i ) => String( i + 1 ) ), 'one request per page, in order' );

		const ids = await a.$$eval( `${ list } > ul > li`, ( items ) => items.map( ( li ) => parseInt( li.getAttribute( 'data-user-id' ), 10 ) ) );
		const total = await a.evaluate( () => window.wpPresence.total() );
		assert.equal( new Set( ids ).size, ids.length, 'no user listed twice' );
		assert.equal( ids.length, total, 'as many listed as the widget counts' );
		assert.equal( ( await a.textContent( `${ widget } .wp-presence-summary` ) ).trim(), `${ total } other users online` );
		assert.ok( ids.includes( bob.id ), 'Bob listed' );
		assert.ok( ! ids.includes( alice.id ), 'not Alice herself' );

		// Bob's change reaches Alice without a reload, in the open list too, which keeps every row.
		await pickStatus( bob, b, 'dnd' );
		await waitInPage(
			a,
			( [ sel, id ] ) => !! document.querySelector( `${ sel } > ul > li[data-user-id="${ id }"] .wp-presence-status[data-status="dnd"]` ),
			[ list, bob.id ],
			ONE_TICK * 2,
			'Bob in Do not disturb in the open list'
		);
		assert.ok( await a.evaluate( ( id ) => window.wpPresence.others().some( ( row ) => row.user_id === id && 'dnd' === row.status ), bob.id ) );
		assert.equal( await a.locator( `${ list }[open] > ul > li` ).count(), ids.length, 'the list stays open and whole' );
		assert.equal( pages.length, lastPage, 'no page fetched again' );

		// Closed, the list is let go; opened again, it lists who is online then, from page 1.
		await a.press( `${ list } > summary`, 'Enter' );
		await waitInPage( a, ( sel ) => ! document.querySelector( sel ).open && ! document.querySelector( `${ sel } > ul > li` ), list, ONE_TICK, 'closed and emptied' );
		await a.press( `${ list } > summary`, 'Enter' );
		await waitInPage( a, ( sel ) => document.querySelectorAll( `${ sel } > ul > li` ).length > 0, list, ONE_TICK, 'the first page again' );
		assert.equal( pages.length, lastPage + 1 );
		assert.equal( pages[ lastPage ].get( 'page' ), '1' );

		await pickStatus( bob, b, '' );
		await closeAll( bob );
		assert.deepEqual( problems, [] );
	} );
} );
