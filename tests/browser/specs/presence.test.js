'use strict';
/**
 * Two (and three) users in separate browser contexts: Alice (administrator)
 * watches, Bob (editor) comes and goes, Mallory has a hostile display name.
 * Heartbeat ticks every 5 s here (test mu-plugin), so "within one tick" means
 * within TICK seconds plus a little for the request itself.
 */
const { describe, it, before, after } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const path = require( 'node:path' );
const {
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
	predicates: p,
	queryCount,
	openAdminBarMenu,
	pickStatus,
	problems,
	sleep,
	closeAll,
} = require( '../lib' );

const ONE_TICK = ( TICK + 3 ) * 1000;
/** The leave grace (wp_presence_leave_grace, default 10 s): a closed tab's entries live this long. */
const GRACE = 10;
const POST_ID = SETUP.post_id;
const HOSTILE = '<img src=x onerror=alert(1)>';

let browser;
let alice;
let bob;

/** Alice on a fresh dashboard (a fresh page also keeps core Heartbeat from throttling down). */
async function aliceDashboard() {
	await alice.page.goto( '/wp-admin/' );
	try {
		await alice.page.waitForSelector( '[data-wp-presence-widget="online"]', { timeout: 10000 } );
	} catch ( e ) {
		const file = path.join( ARTIFACTS, `alice-dashboard-${ Date.now() }.png` );
		await alice.page.screenshot( { path: file, timeout: 5000 } ).catch( () => {} );
		const state = await Promise.race( [
			alice.page.evaluate( () => `${ document.readyState } ${ document.visibilityState } body=${ document.body.innerHTML.length } widget=${ !! document.querySelector( '[data-wp-presence-widget="online"]' ) } title=${ document.title }` ),
			sleep( 3000 ).then( () => 'page does not answer' ),
		] ).catch( ( err ) => String( err ) );
		throw new Error( `Alice's dashboard: ${ e.message.split( '\n' )[ 0 ] } [${ state }] (screenshot ${ file })` );
	}
	return alice.page;
}

describe( 'presence admin UI in a real browser', () => {
	before( async () => {
		browser = await launch();
		alice = await loginAs( browser, 'alice' );
		bob = await loginAs( browser, 'bob' );
		await closeAll( bob );
		const backend = ( await ajax( alice, 'presence_test_backend' ) ).data;
		// eslint-disable-next-line no-console
		console.log( `# presence backend in php-fpm: ${ backend.backend } (extension loaded: ${ backend.extension })` );
		if ( process.env.PRESENCE_TEST_BACKEND ) {
			assert.equal( backend.backend, process.env.PRESENCE_TEST_BACKEND, 'php-fpm does not use the backend run.sh asked for' );
		}
		// Logging in puts Bob online; start from nobody but Alice.
		await ajax( alice, 'presence_test_seed', { n: 0 } );
		await ajax( alice, 'presence_test_reset' );
	} );

	after( async () => {
		if ( browser ) {
			await browser.close();
		}
	} );

	it( 'shows Bob in Alice\'s admin bar and Who\'s Online within one Heartbeat tick', async () => {
		const a = await aliceDashboard();
		await waitInPage( a, p.notInWidget, bob.id, ONE_TICK, 'Bob not listed yet' );

		const b = await newPage( bob );
		await b.goto( '/wp-admin/' );
		const seconds = await waitInPage( a, p.inWidget, bob.id, ONE_TICK, 'Bob in Who\'s Online' );
		await waitInPage( a, p.inAdminBar, bob.id, 1000, 'Bob in the admin bar' );
		assert.ok( seconds <= TICK + 3, `took ${ seconds } s` );

		const count = await a.textContent( '#wp-admin-bar-wp-presence .wp-presence-ab-count' );
		assert.match( count, /2 online/ );
		// The dot has a text label and an accessible name.
		const row = a.locator( `[data-wp-presence-widget="online"] .wp-presence-row[data-user-id="${ bob.id }"]` );
		assert.equal( ( await row.locator( '.wp-presence-row__name' ).textContent() ).trim(), 'Bob Editor' );
		assert.ok( ( await row.locator( '.wp-presence-status__label' ).textContent() ).trim().length > 0 );
		assert.match( await row.locator( '.wp-presence-dot[role="img"]' ).getAttribute( 'aria-label' ), /^Bob Editor: / );
		assert.equal( await a.locator( '[data-wp-presence-widget="online"] [aria-live="polite"]' ).count(), 1 );
		// Bob shows under "Elsewhere"? No: both are on the dashboard, so "On this page".
		assert.equal( await a.locator( `#wp-admin-bar-wp-presence-here [data-user-id="${ bob.id }"]` ).count(), 1 );
	} );

	it( 'redraws nothing, and gets no room back, while nothing changes', async () => {
		const a = await aliceDashboard();
		await waitInPage( a, p.inWidget, bob.id, ONE_TICK, 'Bob listed' );
		const replies = [];
		const onResponse = async ( response ) => {
			if ( response.url().includes( 'admin-ajax.php' ) && ( response.request().postData() || '' ).includes( 'action=heartbeat' ) ) {
				try {
					replies.push( ( await response.json() )[ 'wp-presence' ] );
				} catch ( e ) {}
			}
		};
		a.on( 'response', onResponse );
		// Let one tick settle the versions Alice has seen, then watch two more.
		await sleep( ( TICK + 1 ) * 1000 );
		replies.length = 0;
		await a.evaluate( () => {
			window.__mutations = 0;
			const observer = new MutationObserver( ( list ) => {
				window.__mutations += list.length;
			} );
			[ '[data-wp-presence-widget]', '#wp-admin-bar-wp-presence' ].forEach( ( selector ) =>
				document.querySelectorAll( selector ).forEach( ( node ) =>
					observer.observe( node, { childList: true, subtree: true, characterData: true, attributes: true } )
				)
			);
		} );
		await sleep( ( TICK * 2 + 1 ) * 1000 );
		a.off( 'response', onResponse );
		assert.ok( replies.length >= 1, 'no Heartbeat reply seen' );
		for ( const reply of replies ) {
			assert.ok( reply && 'object' === typeof reply, 'reply without wp-presence' );
			assert.equal( Object.keys( reply.rooms || {} ).length, 0, 'an unchanged room was sent again' );
			assert.equal( reply.active_posts, undefined, 'unchanged active posts were sent again' );
		}
		assert.equal( await a.evaluate( () => window.__mutations ), 0, 'the UI was redrawn without a change' );
	} );

	it( 'shows Bob editing a post in Active Posts and in the Editors column', async () => {
		const a = await aliceDashboard();
		const b = bob.context.pages()[ 0 ];
		await b.goto( `/wp-admin/post.php?post=${ POST_ID }&action=edit` );
		await waitInPage( a, p.editingInActivePosts, [ POST_ID, bob.id ], ONE_TICK * 2, 'Bob in Active Posts' );
		const title = await a.textContent( `[data-wp-presence-widget="active-posts"] .wp-presence-post[data-post-id="${ POST_ID }"] .wp-presence-post__title` );
		assert.equal( title.trim(), 'Presence test post' );
		assert.match(
			await a.textContent( `[data-wp-presence-widget="active-posts"] .wp-presence-post[data-post-id="${ POST_ID }"] .wp-presence-post__count` ),
			/^1 editor$/
		);

		await a.goto( '/wp-admin/edit.php' );
		await waitInPage( a, p.inEditorsColumn, [ POST_ID, bob.id ], 1000, 'Bob in the Editors column (server render)' );
		assert.equal( ( await a.textContent( 'th#wp_presence_editors' ) ).trim(), 'Editors' );
		// Live: Bob leaves the editor, the column follows without a reload.
		await b.goto( '/wp-admin/' );
		await waitInPage( a, p.notInEditorsColumn, [ POST_ID, bob.id ], ONE_TICK * 2, 'Bob gone from the Editors column' );
	} );

	it( 'never shows the title of a post to a user who cannot edit it', async () => {
		const carol = await loginAs( browser, 'carol' );
		const c = carol.page;
		await c.goto( '/wp-admin/' );
		const b = bob.context.pages()[ 0 ] || ( await newPage( bob ) );
		await b.goto( `/wp-admin/post.php?post=${ POST_ID }&action=edit` );
		await waitInPage( c, p.inWidget, bob.id, ONE_TICK * 2, 'Bob in Carol\'s Who\'s Online (live)' );
		const presenceText = () =>
			c.evaluate( () =>
				[ '#wp-admin-bar-wp-presence', '[data-wp-presence-widget]' ]
					.flatMap( ( selector ) => Array.from( document.querySelectorAll( selector ) ) )
					.map( ( node ) => node.outerHTML )
					.join( '' ) + JSON.stringify( window.wpPresenceSettings || {} )
			);
		// Carol (no list_users, so no view_presence_location) is never told where Bob is. Once
		// Alice sees Bob in the editor, one more tick reaches Carol; then look for the title anywhere.
		const alicePage = await aliceDashboard();
		await waitInPage(
			alicePage,
			( id ) => window.wpPresence.others().some( ( row ) => row.user_id === id && 'post' === row.screen ),
			bob.id,
			ONE_TICK * 2,
			'Bob editing, as Alice sees it'
		);
		await sleep( ONE_TICK );
		assert.ok(
			await c.evaluate( ( id ) => window.wpPresence.others().some( ( row ) => row.user_id === id && ! row.screen && ! row.post_id ), bob.id ),
			'Carol sees Bob online, not where'
		);
		assert.ok( ! ( await presenceText() ).includes( 'Presence test post' ), 'live: title leaked to Carol' );
		await c.reload();
		await c.waitForSelector( `[data-wp-presence-widget="online"] [data-user-id="${ bob.id }"]` );
		assert.ok( ! ( await presenceText() ).includes( 'Presence test post' ), 'server render: title leaked to Carol' );
		assert.equal( await c.locator( `[data-wp-presence-widget="active-posts"] [data-post-id="${ POST_ID }"]` ).count(), 0 );
		// Alice, who can edit it, does see the title.
		const a = await aliceDashboard();
		assert.equal(
			( await a.textContent( `[data-wp-presence-widget="online"] .wp-presence-row[data-user-id="${ bob.id }"] .wp-presence-row__where` ) ).trim(),
			'Presence test post'
		);
		await closeAll( carol );
		await carol.context.close();
		await b.goto( '/wp-admin/' );
	} );

	it( 'follows Bob from online to idle to away to do not disturb', async () => {
		// Start from Bob's dashboard tab alone: a post lock from the last test can outlive the editor
		// (a Heartbeat in flight while the editor unloads refreshes it after core released it), and
		// a lock entry counts as online for its 150 s.
		await ajax( alice, 'presence_test_reset' );
		await setCookies( bob.context, { presence_test_idle: 6, presence_test_away: 14 } );
		const b = bob.context.pages()[ 0 ];
		const a = await aliceDashboard();
		await b.goto( '/wp-admin/' );
		await b.mouse.move( 300, 300 );
		await waitInPage( a, p.widgetStatusIs, [ bob.id, 'online' ], ONE_TICK, 'Bob online' );
		try {
			await waitInPage( b, p.selfStatusIs, 'idle', 9000, 'Bob sees himself idle' );
		} catch ( e ) {
			// What kept him online.
			throw new Error( e.message + ' ' + JSON.stringify( ( await ajax( alice, 'presence_test_entries', { user: bob.id } ) ).data ) );
		}
		await waitInPage( a, p.widgetStatusIs, [ bob.id, 'idle' ], ONE_TICK, 'Bob idle' );
		await waitInPage( b, p.selfStatusIs, 'away', 12000, 'Bob sees himself away' );
		await waitInPage( a, p.widgetStatusIs, [ bob.id, 'away' ], ONE_TICK, 'Bob away' );
		// Input brings him back.
		await b.mouse.move( 400, 420 );
		await b.keyboard.press( 'Shift' );
		await waitInPage( a, p.widgetStatusIs, [ bob.id, 'online' ], ONE_TICK, 'Bob online again' );

		await pickStatus( bob, b, 'dnd' );
		await waitInPage( b, p.selfStatusIs, 'dnd', 2000, 'Bob sees himself dnd' );
		await waitInPage( a, p.widgetStatusIs, [ bob.id, 'dnd' ], ONE_TICK, 'Bob do not disturb' );
		const label = await a.textContent(
			`[data-wp-presence-widget="online"] .wp-presence-row[data-user-id="${ bob.id }"] .wp-presence-status__label`
		);
		assert.equal( label.trim(), 'Do not disturb' );
		// The admin bar dropdown says it too.
		await openAdminBarMenu( a );
		assert.equal(
			await a.getAttribute( `#wp-admin-bar-wp-presence [id$="-user-${ bob.id }"] .wp-presence-status`, 'data-status' ),
			'dnd'
		);
		await pickStatus( bob, b, '' );
		await waitInPage( a, p.widgetStatusIs, [ bob.id, 'online' ], ONE_TICK, 'Bob automatic again' );
		await bob.context.clearCookies( { name: 'presence_test_idle' } ).catch( () => {} );
		await bob.context.clearCookies( { name: 'presence_test_away' } ).catch( () => {} );
	} );

	it( 'sees Bob leave within seconds when he closes his tab', async () => {
		const a = await aliceDashboard();
		await waitInPage( a, p.inWidget, bob.id, ONE_TICK, 'Bob listed' );
		assert.equal( bob.context.pages().length, 1 );
		const closedAt = Date.now();
		await bob.context.pages()[ 0 ].close();
		// The closed tab's entries live out the leave grace (10 s), then Alice's next tick drops him.
		await waitInPage( a, p.notInWidget, bob.id, ( GRACE + TICK + 3 ) * 1000, 'Bob gone from Who\'s Online' );
		await waitInPage( a, p.notInAdminBar, bob.id, 1000, 'Bob gone from the admin bar' );
		const seconds = ( Date.now() - closedAt ) / 1000;
		assert.ok( seconds <= GRACE + TICK + 3, `took ${ seconds } s` );
		// The count follows the list (others still lingering from earlier tests included).
		const others = await a.evaluate( () => window.wpPresence.others().length );
		assert.equal( ( await a.textContent( '#wp-admin-bar-wp-presence .wp-presence-ab-count' ) ).trim(), `${ others + 1 } online` );
	} );

	it( 'keeps one user online while another of his tabs is still open', async () => {
		const b1 = await newPage( bob );
		await b1.goto( '/wp-admin/' );
		const b2 = await newPage( bob );
		await b2.goto( '/wp-admin/edit.php' );
		const a = await aliceDashboard();
		await waitInPage( a, p.inWidget, bob.id, ONE_TICK, 'Bob listed' );
		const tabs = await Promise.all( [ b1, b2 ].map( ( page ) => page.evaluate( () => window.wpPresence.tab() ) ) );
		assert.notEqual( tabs[ 0 ], tabs[ 1 ] );
		await b2.close();
		// Two more ticks: Bob must still be there.
		await sleep( ( TICK * 2 + 1 ) * 1000 );
		assert.ok( await a.evaluate( p.inWidget, bob.id ), 'Bob dropped although a tab is open' );
		await b1.close();
		await waitInPage( a, p.notInWidget, bob.id, ( GRACE + TICK + 3 ) * 1000, 'Bob gone' );
	} );

	it( 'never shows Bob to Alice while he is invisible', async () => {
		const a = await aliceDashboard();
		const b = await newPage( bob );
		await b.goto( '/wp-admin/' );
		await waitInPage( a, p.inWidget, bob.id, ONE_TICK, 'Bob listed' );
		await pickStatus( bob, b, 'invisible' );
		await waitInPage( b, p.selfStatusIs, 'invisible', 2000, 'Bob sees himself invisible' );
		await waitInPage( a, p.notInWidget, bob.id, ONE_TICK, 'invisible Bob gone from Who\'s Online' );
		await waitInPage( a, p.notInAdminBar, bob.id, 1000, 'invisible Bob gone from the admin bar' );

		// From now on Alice's page must never show him, whatever he opens.
		await a.evaluate( ( id ) => {
			window.__sawBob = 0;
			const check = () => {
				if ( document.querySelector( `[data-user-id="${ id }"]` ) ) {
					window.__sawBob++;
				}
			};
			new MutationObserver( check ).observe( document.body, { childList: true, subtree: true } );
			check();
		}, bob.id );
		await b.goto( `/wp-admin/post.php?post=${ POST_ID }&action=edit` );
		const b2 = await newPage( bob );
		await b2.goto( '/' );
		await sleep( ( TICK * 3 + 1 ) * 1000 );
		assert.equal( await a.evaluate( () => window.__sawBob ), 0, 'Alice saw invisible Bob' );

		// Nor on freshly rendered pages.
		await a.goto( '/wp-admin/edit.php' );
		assert.equal( await a.locator( `[data-user-id="${ bob.id }"]` ).count(), 0 );
		await a.goto( '/wp-admin/users.php' );
		const onlineLink = a.locator( '.subsubsub .wp_presence_online a' );
		await onlineLink.click();
		await a.waitForSelector( '#the-list' );
		assert.equal( await a.locator( `#the-list #user-${ bob.id }` ).count(), 0, 'invisible Bob in the Online view' );
		await a.goto( '/' );
		assert.equal( await a.locator( `#wpadminbar [data-user-id="${ bob.id }"]` ).count(), 0 );

		// Back to automatic: now he shows again (so the checks above could see him).
		await b2.close();
		await b.goto( '/wp-admin/' );
		await pickStatus( bob, b, '' );
		await aliceDashboard();
		await waitInPage( a, p.inWidget, bob.id, ONE_TICK, 'Bob visible again' );
		await closeAll( bob );
	} );

	it( 'renders a hostile display name as text, live and on reload', async () => {
		const a = await aliceDashboard();
		const mallory = await loginAs( browser, 'mallory' );
		await waitInPage( a, p.inWidget, mallory.id, ONE_TICK, 'Mallory listed (live render)' );
		const check = async ( where ) => {
			assert.equal( await a.locator( 'img[src="x"]' ).count(), 0, `${ where }: an <img> was injected` );
			const name = await a.textContent( `[data-wp-presence-widget="online"] .wp-presence-row[data-user-id="${ mallory.id }"] .wp-presence-row__name` );
			assert.equal( name, HOSTILE, `${ where }: name not shown as text in Who's Online` );
			const barName = await a.textContent( `#wp-admin-bar-wp-presence [id$="-user-${ mallory.id }"] .wp-presence-ab-name` );
			assert.equal( barName, HOSTILE, `${ where }: name not shown as text in the admin bar` );
			const title = await a.getAttribute( `#wp-admin-bar-wp-presence .wp-presence-stack [data-user-id="${ mallory.id }"]`, 'title' );
			assert.ok( title.startsWith( HOSTILE ), `${ where }: avatar title` );
		};
		await check( 'live' );
		await openAdminBarMenu( a );
		assert.ok( ( await a.textContent( '#wp-admin-bar-wp-presence .ab-sub-wrapper' ) ).includes( HOSTILE ) );
		await a.reload();
		await a.waitForSelector( `[data-wp-presence-widget="online"] [data-user-id="${ mallory.id }"]` );
		await check( 'server render' );
		await a.goto( '/wp-admin/users.php' );
		await a.click( '.subsubsub .wp_presence_online a' );
		await a.waitForSelector( `#the-list #user-${ mallory.id }` );
		assert.equal( await a.locator( 'img[src="x"]' ).count(), 0 );
		assert.deepEqual( problems.filter( ( problem ) => /dialog/.test( problem ) ), [] );
		await closeAll( mallory );
		await mallory.context.close();
	} );

	it( 'shows the admin bar node on the front end too, and announces only what concerns the page', async () => {
		const a = alice.page;
		await a.goto( '/' );
		await a.waitForSelector( '#wp-admin-bar-wp-presence', { timeout: 10000 } );
		await waitInPage( a, p.notInAdminBar, bob.id, ONE_TICK, 'Bob not there yet' );
		const b = await newPage( bob );
		await b.goto( '/wp-admin/' );
		await waitInPage( a, p.inAdminBar, bob.id, ONE_TICK, 'Bob in the front-end admin bar' );
		// Someone coming online elsewhere is not read out (specs/tabs.test.js: the editor's announcements).
		assert.equal( await a.locator( '#wp-presence-announce' ).count(), 0, 'announced a change that does not concern this page' );
		assert.equal( await a.locator( '.wp-site-blocks' ).count(), 1, 'page content lost' );
		// Her own status is: picking one announces it in one polite, invisible live region.
		await pickStatus( alice, a, 'dnd' );
		await waitInPage( a, () => /Do not disturb/.test( ( document.getElementById( 'wp-presence-announce' ) || {} ).textContent || '' ), null, 3000, 'own status announced' );
		assert.equal( await a.getAttribute( '#wp-presence-announce', 'aria-live' ), 'polite' );
		assert.equal( await a.locator( '#wp-presence-announce, .wp-presence-announce' ).count(), 1, 'one live region of ours' );
		const box = await a.locator( '#wp-presence-announce' ).boundingBox();
		assert.ok( box.width <= 1 && box.height <= 1, 'live region is visible' );
		await pickStatus( alice, a, '' );
		await closeAll( bob );
	} );

	it( 'links to the Online users view only with a valid nonce', async () => {
		const a = alice.page;
		await a.goto( '/wp-admin/users.php' );
		const href = await a.getAttribute( '.subsubsub .wp_presence_online a', 'href' );
		assert.match( href, /presence=online/ );
		assert.match( href, /presence_nonce=[0-9a-f]{10}/ );
		await a.goto( href );
		const listed = await a.$$eval( '#the-list tr[id^="user-"]', ( rows ) => rows.map( ( row ) => row.id ) );
		assert.ok( listed.includes( `user-${ alice.id }` ), 'Alice is online' );
		// Exactly the users the page itself was rendered with as online (Alice included).
		const online = await a.evaluate( () => window.wpPresenceSettings.initial.users.map( ( row ) => `user-${ row.user_id }` ) );
		assert.deepEqual( [ ...listed ].sort(), [ `user-${ alice.id }`, ...online ].sort() );
		assert.ok( listed.length < ( await a.locator( '.subsubsub .all .count' ).textContent() ).replace( /\D/g, '' ) * 1 );
		assert.match( await a.textContent( '.subsubsub .wp_presence_online a' ), new RegExp( `Online \\(${ listed.length }\\)` ) );
		// Without the nonce the filter does not apply, and the page says why.
		await a.goto( '/wp-admin/users.php?presence=online' );
		assert.ok( ( await a.locator( '#the-list tr[id^="user-"]' ).count() ) > 1 );
		assert.equal( await a.locator( '.notice-warning', { hasText: 'expired' } ).count(), 1 );
	} );

	it( 'renders the dashboard with the same number of queries for 5 and 40 users online', async () => {
		const a = alice.page;
		await ajax( alice, 'presence_test_reset' );
		const measure = async ( n ) => {
			await ajax( alice, 'presence_test_seed', { n } );
			await a.goto( '/wp-admin/' );
			await a.goto( '/wp-admin/' );
			// Only the seeded users: a tab closed a moment ago may still have a request in flight.
			const online = await a.evaluate( () => window.wpPresence.others().filter( ( row ) => /^Seeded Editor /.test( row.display_name ) ).length );
			const total = await a.evaluate( () => window.wpPresence.total() );
			return { queries: await queryCount( a ), online, total };
		};
		const five = await measure( 5 );
		const forty = await measure( 40 );
		assert.equal( five.online, 5 );
		// Replies carry the first 20 others and the total (wp_presence_heartbeat_rows).
		assert.ok( forty.online >= 20 && forty.online <= 40, `${ forty.online } seeded rows held` );
		assert.ok( forty.total >= 40 && forty.total <= 42, `total ${ forty.total }` );
		assert.ok(
			forty.queries <= five.queries,
			`dashboard ran ${ five.queries } queries with 5 users online and ${ forty.queries } with 40`
		);
		// With many users the widget shows a stack and a nonce'd link to all of them.
		assert.equal( await a.locator( '[data-wp-presence-widget="online"] .wp-presence-stack' ).count(), 1 );
		assert.match( await a.getAttribute( '[data-wp-presence-widget="online"] .wp-presence-all a', 'href' ), /presence_nonce=/ );
		const postsList = async () => {
			await a.goto( '/wp-admin/edit.php' );
			return queryCount( a );
		};
		await ajax( alice, 'presence_test_seed', { n: 5 } );
		await postsList();
		const listFive = await postsList();
		await ajax( alice, 'presence_test_seed', { n: 40 } );
		await postsList();
		const listForty = await postsList();
		assert.ok( listForty <= listFive, `posts list ran ${ listFive } queries with 5 users online and ${ listForty } with 40` );
		await ajax( alice, 'presence_test_seed', { n: 0 } );
	} );

	it( 'takes the screenshots for the README', async () => {
		await ajax( alice, 'presence_test_seed', { n: 4 } );
		const mallory = await loginAs( browser, 'mallory' );
		const b = await newPage( bob );
		await b.goto( `/wp-admin/post.php?post=${ POST_ID }&action=edit` );
		const a = await aliceDashboard();
		await waitInPage( a, p.editingInActivePosts, [ POST_ID, bob.id ], ONE_TICK * 2, 'Bob in Active Posts' );
		await waitInPage( a, p.inWidget, mallory.id, ONE_TICK, 'Mallory listed' );
		await a.evaluate( () => {
			const more = document.querySelector( '[data-wp-presence-widget="online"] details' );
			if ( more ) {
				more.open = true;
			}
		} );
		await a.mouse.move( 640, 700 );
		await sleep( 300 );
		await a.locator( '#wp_presence_online' ).screenshot( { path: path.join( SCREENSHOTS, 'presence-widget.png' ) } );
		await a.locator( '#wp_presence_active_posts' ).screenshot( { path: path.join( SCREENSHOTS, 'presence-active-posts.png' ) } );

		await openAdminBarMenu( a );
		await sleep( 300 );
		const box = await a.locator( '#wp-admin-bar-wp-presence .ab-sub-wrapper' ).boundingBox();
		const bar = await a.locator( '#wp-admin-bar-wp-presence' ).boundingBox();
		const x = Math.max( 0, Math.min( box.x, bar.x ) - 20 );
		await a.screenshot( {
			path: path.join( SCREENSHOTS, 'presence-admin-bar.png' ),
			clip: { x, y: 0, width: Math.min( 1280 - x, Math.max( box.x + box.width, bar.x + bar.width ) - x + 20 ), height: box.y + box.height + 10 },
		} );

		await a.goto( '/wp-admin/edit.php' );
		await waitInPage( a, p.inEditorsColumn, [ POST_ID, bob.id ], 1000, 'Bob in the Editors column' );
		await a.mouse.move( 640, 700 );
		await a.locator( '#wpbody-content' ).screenshot( { path: path.join( SCREENSHOTS, 'presence-posts-list.png' ), clip: undefined } );

		await a.goto( '/wp-admin/users.php' );
		await a.click( '.subsubsub .wp_presence_online a' );
		await a.waitForSelector( `#the-list #user-${ bob.id }` );
		await a.mouse.move( 640, 700 );
		await a.locator( '#wpbody-content' ).screenshot( { path: path.join( SCREENSHOTS, 'presence-users-list.png' ) } );

		await closeAll( mallory );
		await mallory.context.close();
		await closeAll( bob );
		await ajax( alice, 'presence_test_seed', { n: 0 } );
		assert.deepEqual( problems, [] );
	} );
} );
